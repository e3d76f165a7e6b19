import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectPlatform } from '../../src/plugin/platform.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

describe('detectPlatform', () => {
  it('is node when nothing says otherwise', async () => {
    expect(detectPlatform(await tmp(), {})).toEqual({ platform: 'node', reason: 'no host detected' });
  });

  it('reads the variables the hosts set during their builds', async () => {
    const dir = await tmp();
    expect(detectPlatform(dir, { VERCEL: '1' }).platform).toBe('vercel');
    expect(detectPlatform(dir, { NETLIFY: 'true' }).platform).toBe('netlify');
    expect(detectPlatform(dir, { CF_PAGES: '1' }).platform).toBe('cloudflare');
    expect(detectPlatform(dir, { VERCEL: '0', NETLIFY: 'false' }).platform).toBe('node');
  });

  it('recognises an OpenNext-for-Cloudflare app by its two config files, not by one alone', async () => {
    const dir = await tmp();
    await fs.writeFile(path.join(dir, 'open-next.config.ts'), 'export default {};\n');
    expect(detectPlatform(dir, {}).platform).toBe('node'); // OpenNext for AWS has this file too
    await fs.writeFile(path.join(dir, 'wrangler.jsonc'), '{}\n');
    expect(detectPlatform(dir, {})).toEqual({ platform: 'cloudflare', reason: 'open-next.config.ts and wrangler.jsonc' });
  });
});
