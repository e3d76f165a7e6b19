// 6. What it saves: a repeat visit in headless Chromium. Part of `npm run bench` (bench/run.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM, NAMESPACE, buildApps, require, sections, summary } from './context.mjs';
import { BENCH_DIR, countingProxy, fmtBytes, nextStart, table } from './lib.mjs';

export async function benchBrowser() {
  const { wrapped, plain } = await buildApps();
  const { chromium } = require('playwright-core');
  const rows = [];
  const detail = [];
  const result = {};
  for (const [label, dir] of [['with withStaticBust', wrapped], ['without (plain URLs)', plain]]) {
    const server = await nextStart(dir);
    const proxy = countingProxy();
    proxy.target = server.url;
    await proxy.listen();
    const profile = mkdtempSync(path.join(BENCH_DIR, 'chromium-'));
    const launch = () =>
      chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    const visit = async (context) => {
      proxy.seen = [];
      const page = await context.newPage();
      await page.goto(proxy.url + '/', { waitUntil: 'load' });
      await page.getByTestId('hydrated').click();
      await page.getByText('clicked 1').waitFor({ timeout: 15_000 });
      await page.evaluate(() => document.fonts.ready);
      await page.waitForTimeout(500); // stragglers (icon)
      await page.close();
      const seen = [...proxy.seen];
      const kind = (p) =>
        p === '/' ? 'document' : p.startsWith('/_next/') ? '_next/' : p.startsWith(`/${NAMESPACE}/`) ? 'busted public/' : p.startsWith('/api/') ? 'api' : 'plain public/';
      const groups = {};
      for (const r of seen) {
        const g = (groups[kind(r.path)] ??= { n: 0, s304: 0, bytes: 0 });
        g.n++;
        if (r.status === 304) g.s304++;
        g.bytes += r.headerBytes + r.bodyBytes;
      }
      return {
        requests: seen.length,
        s304: seen.filter((r) => r.status === 304).length,
        bytes: seen.reduce((n, r) => n + r.headerBytes + r.bodyBytes, 0),
        body: seen.reduce((n, r) => n + r.bodyBytes, 0),
        groups,
        paths: seen.map((r) => `${r.status} ${r.path}`),
      };
    };
    let context;
    try {
      context = await launch();
      const first = await visit(context);
      const repeat = await visit(context);
      await context.close();
      context = await launch(); // same profile: the disk cache survives, the memory cache does not
      const restart = await visit(context);
      result[label] = { first, repeat, restart };
      for (const [what, v] of [['first visit', first], ['repeat visit', repeat], ['repeat visit after browser restart', restart]]) {
        const g = (k) => (v.groups[k] ? `${v.groups[k].n} (${v.groups[k].s304}×304)` : '0');
        rows.push([label, what, String(v.requests), String(v.s304), fmtBytes(v.bytes), g('document'), g('_next/'), g('busted public/'), g('plain public/')]);
      }
      detail.push(`- ${label}, repeat visit: ${repeat.paths.map((p) => `\`${p}\``).join(', ')}`);
    } finally {
      await context?.close().catch(() => {});
      await proxy.close();
      await server.stop();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  const w = result['with withStaticBust'].repeat;
  const p = result['without (plain URLs)'].repeat;
  sections.push(
    [
      '## 6. What it saves: repeat visits in headless Chromium',
      '',
      `Debian Chromium (\`${CHROMIUM}\`) driven by playwright-core, a persistent profile per app, a counting proxy ` +
        'between browser and `next start` (as in test/e2e/browser.test.ts). A visit opens `/` in a new tab, waits ' +
        'for load, hydration (a click), fonts and 500 ms. "Requests" are those that reached the server; bytes ' +
        'are the status lines, headers and bodies sent back.',
      '',
      table(
        ['app', 'visit', 'requests', 'of which 304', 'bytes', 'document', '/_next/', 'busted public/', 'plain public/'],
        rows,
      ),
      '',
      'What reached the server on the repeat visit:',
      '',
      ...detail,
    ].join('\n'),
  );
  summary.push([
    'repeat visit of example-app in Chromium',
    `${w.requests} requests, ${fmtBytes(w.bytes)}`,
    `plain: ${p.requests} requests, ${fmtBytes(p.bytes)}`,
    `${p.requests - w.requests} fewer requests, ${fmtBytes(p.bytes - w.bytes)} less`,
    '—',
    '—',
  ]);
}
