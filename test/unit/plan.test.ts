// serveBuild() (src/serving/plan.ts) with each way of serving replaced by a stub: which errors fall
// back to the next way, which are thrown, and what happens to the host's rules when nothing could
// be served.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinkError } from '../../src/shared/errors.js';
import { resolveOptions } from '../../src/plugin/options.js';
import type { Plan } from '../../src/serving/plan.js';
import type { Served } from '../../src/serving/served.js';
import { useFreshConfigEnv } from '../helpers/tmp.js';

const stubs = vi.hoisted(() => ({
  serveLinks: vi.fn(),
  serveStatic: vi.fn(),
  writeHostRules: vi.fn(),
}));
vi.mock('../../src/serving/serve-links.js', () => ({ serveLinks: stubs.serveLinks }));
vi.mock('../../src/serving/serve-static.js', () => ({ serveStatic: stubs.serveStatic }));
vi.mock('../../src/serving/host-rules.js', () => ({ writeHostRules: stubs.writeHostRules }));

const { serveBuild } = await import('../../src/serving/plan.js');

useFreshConfigEnv();
afterEach(() => {
  for (const stub of Object.values(stubs)) stub.mockReset();
});

const STATIC: Served = { serving: 'static', current: 'T', served: ['T'], entries: { files: [], folders: [] } };

function build(plan: Partial<Plan> = {}) {
  return serveBuild({
    plan: { platform: 'node', reason: 'test', servings: ['links', 'static'], hostRules: true, exported: false, ...plan },
    opts: resolveOptions({ dir: '/nonexistent-app' }),
    publicDir: '/nonexistent-app/public',
    content: { token: 'T', files: [], states: new Map() },
    basePath: '',
  });
}

describe('serveBuild()', () => {
  it('falls back to the static folder when the links are refused', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    stubs.serveLinks.mockRejectedValue(new LinkError('links refused.', 'EPERM'));
    stubs.serveStatic.mockResolvedValue(STATIC);
    await expect(build()).resolves.toBe(STATIC);
    expect(stubs.serveStatic).toHaveBeenCalledTimes(1);
  });

  it('throws an error of the links that is not a refusal, without trying the static folder', async () => {
    stubs.serveLinks.mockRejectedValue(new Error('a bug'));
    stubs.serveStatic.mockResolvedValue(STATIC);
    await expect(build()).rejects.toThrow('a bug');
    expect(stubs.serveStatic).not.toHaveBeenCalled();
  });

  it('returns undefined, and leaves the rule files alone, when no way could serve', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    stubs.serveLinks.mockRejectedValue(new LinkError('links refused.', 'EPERM'));
    await expect(build({ servings: ['links'] })).resolves.toBeUndefined();
    expect(stubs.writeHostRules).not.toHaveBeenCalled();
    expect(warn.mock.calls.join('\n')).toContain('URLs are not busted');
  });

  it('warns, and still returns what it serves, when the rule files cannot be written', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    stubs.serveStatic.mockResolvedValue(STATIC);
    stubs.writeHostRules.mockRejectedValue(Object.assign(new Error('read-only'), { code: 'EROFS' }));
    await expect(build({ servings: ['static'] })).resolves.toBe(STATIC);
    expect(warn.mock.calls.join('\n')).toContain("could not write the host's rule files");
  });

  it('throws an error of the rule files that is not the file system refusing', async () => {
    stubs.serveStatic.mockResolvedValue(STATIC);
    stubs.writeHostRules.mockRejectedValue(new Error('a bug'));
    await expect(build({ servings: ['static'] })).rejects.toThrow('a bug');
  });
});
