// 9. The `token` CLI as a whole process (Node.js start-up, reading next.config, the scan) against
// `find`. Part of `npm run bench` (bench/run.mjs); alone: BENCH_ONLY=cli.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NAMESPACE, QUICK, dist, int, log, notes, sections, summary } from './context.mjs';
import { BENCH_DIR, fmtMs, fmtNum, fmtRatio, fmtSamples, interleave, median, sh, table } from './lib.mjs';
import { FIND_MTIME } from './scan.mjs';

const TARGET = 1.2;

/**
 * An app folder (`next.config.js` of `module.exports = {}`, Next.js resolved from the repository's
 * node_modules) whose public/ has `count` small files: 100 to a folder, the folders in 10 top-level
 * folders (`t3/s41/`), one file in 97 a dot file; up to 100 files, all at the top.
 */
function makeApp(count) {
  const dir = path.join(BENCH_DIR, `cli-${count}`);
  rmSync(dir, { recursive: true, force: true });
  const publicDir = path.join(dir, 'public');
  mkdirSync(publicDir, { recursive: true });
  writeFileSync(path.join(dir, 'next.config.js'), 'module.exports = {};\n');
  let last = '';
  for (let i = 0; i < count; i++) {
    const d = Math.floor(i / 100);
    const folder = count <= 100 ? publicDir : path.join(publicDir, `t${d % 10}`, `s${Math.floor(d / 10)}`);
    if (folder !== last) mkdirSync((last = folder), { recursive: true });
    writeFileSync(path.join(folder, `${i % 97 === 0 ? '.' : ''}f${i}.txt`), 'x'.repeat(64 + (i % 500)));
  }
  return dir;
}

export async function benchCli() {
  const sizes = QUICK ? [10, 1000, 10000] : [10, 1000, 100000];
  const runs = int('BENCH_RUNS', QUICK ? 3 : 9);
  const bin = path.join(dist, 'bin.js');
  const rows = [];
  let last;
  for (const files of sizes) {
    log(`cli: generating ${fmtNum(files)} files`);
    const dir = makeApp(files);
    const cli = `"${process.execPath}" "${bin}" token --dir .`;
    const token = (await sh(cli, dir)).trim();
    const found = (await sh(FIND_MTIME, dir)).trim();
    if (token !== found) notes.push(`cli: the token CLI printed ${token}, find ${found} (${fmtNum(files)} files)`);
    log(`cli: ${fmtNum(files)} files, ${runs} rounds`);
    const m = await interleave(
      [
        { name: 'cli', fn: () => sh(cli, dir) },
        { name: 'find', fn: () => sh(FIND_MTIME, dir) },
        { name: 'sort', fn: () => sh(`find public -path public/${NAMESPACE} -prune -o -type f -printf '%T@\\n' | sort -n | tail -1`, dir) },
        { name: 'node', fn: () => sh(`"${process.execPath}" -e 0`, dir) },
      ],
      { runs, warmup: 2 },
    );
    const med = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, median(v)]));
    last = { files, med };
    rows.push([
      fmtNum(files),
      fmtSamples(m.cli),
      fmtSamples(m.find),
      `**${fmtRatio(med.cli / med.find)}**`,
      `${fmtSamples(m.sort)} (${fmtRatio(med.cli / med.sort)})`,
      fmtSamples(m.node),
    ]);
  }
  sections.push(
    [
      '## 9. The `token` CLI as a whole process',
      '',
      '`node dist/cjs/bin.js token --dir <app>` (default mtime strategy) against `find`, both run through `sh -c`, ' +
        `warm page cache, median (min–max) of ${runs} interleaved rounds after 2 of warm-up. The app has a ` +
        '`next.config.js` of `module.exports = {}`, which the CLI imports itself (src/cli/app-options.ts; there is no ' +
        '`.env` file to load first), and a public/ of small files, 100 to a folder in 10 top-level ' +
        'folders. The CLI\'s time includes Node.js\'s start-up (`node -e 0`, last column) and reading the ' +
        'config (the 10-file row is about both and nothing else); past ' +
        '30,000 entries left a worker thread takes a share of the walk (src/build/walk.ts).',
      '',
      table(
        ['files', 'token CLI', `find \\| awk (as section 1)`, 'CLI ÷ find', 'find \\| sort -n \\| tail -1 (CLI ÷ it)', 'node -e 0'],
        rows,
      ),
    ].join('\n'),
  );
  if (last) {
    const r = last.med.cli / last.med.find;
    summary.push([
      `\`token\` CLI, whole process, ${fmtNum(last.files)} files`,
      fmtMs(last.med.cli),
      `find: ${fmtMs(last.med.find)}`,
      `${fmtRatio(r)} slower`,
      `≤ ${TARGET}×`,
      r <= TARGET ? 'met' : '**missed**',
    ]);
  }
}
