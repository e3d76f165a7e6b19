// A zero-downtime deploy on one machine: the previous build keeps serving from its own distDir
// while the next build runs in the same app folder (sharing public/), then both serve side by side.
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bustedUrls, childEnv, expectBustedPage, get, makeApp, nextBuild, nextStart, type Server } from './harness.js';

const CONFIG = `const { withStaticBust } = require('next-static-bust/config');

module.exports = withStaticBust({ distDir: process.env.NSB_DIST_DIR || '.next' });
`;

let dir: string;
let previous: Server;
let next: Server | undefined;

beforeAll(async () => {
  dir = makeApp('zero-downtime', { config: { file: 'next.config.js', contents: CONFIG } });
  await nextBuild(dir, [], childEnv({ NSB_DIST_DIR: '.next-a' }));
  previous = await nextStart(dir, childEnv({ NSB_DIST_DIR: '.next-a' }));
});

afterAll(async () => {
  await previous?.stop();
  await next?.stop();
});

describe('a build while the previous build is serving', () => {
  it('never interrupts the previous build, and both serve their own token afterwards', async () => {
    const before = await expectBustedPage(previous.url, dir);
    const urls = bustedUrls(before.html);

    const css = path.join(dir, 'public/css/site.css');
    writeFileSync(css, readFileSync(css, 'utf8') + '\n/* release b */\n');
    const future = Date.now() / 1000 + 5;
    utimesSync(css, future, future);

    // Poll every busted URL of the running server for as long as the new build takes.
    let building = true;
    const failures: string[] = [];
    let polls = 0;
    const poller = (async () => {
      while (building) {
        for (const url of urls) {
          const res = await get(previous.url + url);
          polls++;
          if (res.status !== 200) failures.push(`${url}: ${res.status}`);
        }
      }
    })();
    try {
      await nextBuild(dir, [], childEnv({ NSB_DIST_DIR: '.next-b' }));
    } finally {
      building = false;
      await poller;
    }
    expect(failures).toEqual([]);
    expect(polls).toBeGreaterThan(urls.length * 3);

    next = await nextStart(dir, childEnv({ NSB_DIST_DIR: '.next-b' }));
    const after = await expectBustedPage(next.url, dir);
    expect(after.token).not.toBe(before.token);
    expect((await get(`${next.url}/_bust/${after.token}/css/site.css`)).text).toContain('release b');
    // The previous server still serves its own, older URLs.
    for (const url of urls) expect((await get(previous.url + url)).status, url).toBe(200);
  });
});
