// 4. Serving a busted URL against the plain one under load. Part of `npm run bench` (bench/run.mjs).
import { CONNECTIONS, NAMESPACE, SERVE_ROUNDS, SERVE_SECONDS, buildApps, log, notes, pkgVersion, require, sections, summary } from './context.mjs';
import { fmtBytes, fmtNum, fmtRatio, get, median, nextStart, table } from './lib.mjs';

export async function benchServe() {
  const { wrapped } = await buildApps();
  const autocannon = require('autocannon');
  const server = await nextStart(wrapped);
  const rows = [];
  try {
    const page = await get(server.url + '/');
    const token = /\/_bust\/([A-Za-z0-9_-]+)\//.exec(page.text)?.[1];
    if (!token) throw new Error('no busted URL on the page');
    const files = ['css/site.css', 'images/hero.png'];
    for (const file of files) {
      const busted = `/${NAMESPACE}/${token}/${file}`;
      const plain = `/${file}`;
      const b = await get(server.url + busted);
      const p = await get(server.url + plain);
      if (b.status !== 200 || p.status !== 200 || !b.body.equals(p.body)) notes.push(`serve: ${file} answered ${b.status}/${p.status}`);
      const load = (url, duration) =>
        autocannon({ url: server.url + url, connections: CONNECTIONS, duration, pipelining: 1 });
      log(`serve: ${file}, warm-up`);
      await load(busted, 2);
      await load(plain, 2);
      const results = { busted: [], plain: [] };
      for (let round = 0; round < SERVE_ROUNDS; round++) {
        const order = round % 2 ? ['plain', 'busted'] : ['busted', 'plain'];
        for (const which of order) {
          log(`serve: ${file}, ${which}, round ${round + 1}/${SERVE_ROUNDS}, ${SERVE_SECONDS} s`);
          results[which].push(await load(which === 'busted' ? busted : plain, SERVE_SECONDS));
        }
      }
      const stat = (list, f) => median(list.map(f));
      const rps = { busted: stat(results.busted, (r) => r.requests.average), plain: stat(results.plain, (r) => r.requests.average) };
      const bad = (list) => list.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
      for (const which of ['busted', 'plain']) {
        const list = results[which];
        rows.push([
          `\`${which === 'busted' ? busted.replace(token, '<token>') : plain}\` (${fmtBytes(b.body.length)})`,
          fmtNum(rps[which]),
          `${stat(list, (r) => r.latency.p50).toFixed(1)} ms`,
          `${stat(list, (r) => r.latency.p99).toFixed(1)} ms`,
          String(bad(list)),
          which === 'busted' ? fmtRatio(rps.busted / rps.plain) : '1.00×',
          b.headers.get('cache-control') && which === 'busted' ? `\`${b.headers.get('cache-control')}\`` : `\`${p.headers.get('cache-control')}\``,
        ]);
      }
      summary.push([
        `serving ${file} under next start (req/s)`,
        `busted: ${fmtNum(rps.busted)}`,
        `plain URL: ${fmtNum(rps.plain)}`,
        fmtRatio(rps.busted / rps.plain),
        'within 5 %',
        rps.busted >= rps.plain * 0.95 ? 'met' : '**missed**',
      ]);
    }
  } finally {
    await server.stop();
  }
  sections.push(
    [
      '## 4. Serving under `next start`',
      '',
      `autocannon ${pkgVersion('autocannon')}, ${CONNECTIONS} connections, ${SERVE_SECONDS} s per URL and round, ` +
        `${SERVE_ROUNDS} rounds alternating busted/plain after a 2 s warm-up of each; medians of the rounds. One ` +
        '`next start` of the wrapped app on 127.0.0.1; the load generator runs on the same 2 cores, so absolute ' +
        'numbers are low and only the ratio means much. Both URLs serve the same bytes.',
      '',
      table(['URL', 'req/s', 'p50 latency', 'p99 latency', 'non-2xx/errors', 'req/s vs plain', 'Cache-Control'], rows),
    ].join('\n'),
  );
}
