// 1b. A CPU profile of the slowest part of the package's own cost. Part of `npm run bench` (bench/run.mjs).
import { spawn } from 'node:child_process';
import { mkdirSync, promises as fs, rmSync } from 'node:fs';
import path from 'node:path';
import { SIZES, hashToken, log, mtimeToken, sections } from './context.mjs';
import { BENCH_DIR, ROOT, fmtMs, fmtNum, table } from './lib.mjs';
import * as scan from './scan.mjs';
import { summarizeProfile } from './profile.mjs';

export async function benchProfile(trees) {
  const biggest = trees?.at(-1);
  let publicDir = biggest?.publicDir;
  let files = biggest?.files;
  if (!publicDir) {
    files = SIZES.at(-1);
    publicDir = scan.makeSmallTree(path.join(BENCH_DIR, `scan-${files}`), files).publicDir;
  }
  const out = ['## Profile: where the scan time goes', ''];
  const profDir = path.join(BENCH_DIR, 'prof');
  for (const strategy of ['mtime', 'hash']) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
    log(`profile: ${strategy}, ${fmtNum(files)} files`);
    const stdout = await new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${profDir}`, path.join(ROOT, 'bench/profile-scan.mjs'), publicDir, strategy, '3'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`profile exited ${code}`))));
    });
    const { durations } = JSON.parse(stdout);
    // CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile: the main thread is thread 0 (the mtime
    // walk of a large tree also writes one file per worker thread).
    const file = (await fs.readdir(profDir)).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
    const p = summarizeProfile(path.join(profDir, file));
    const pct = (ms) => `${((ms / p.sampledMs) * 100).toFixed(1)} %`;
    out.push(
      `### ${strategy === 'mtime' ? '`mtimeToken`' : '`hashToken`'}, ${fmtNum(files)} files`,
      '',
      `\`node --cpu-prof\`, 3 calls in one process (${durations.map(fmtMs).join(', ')}; the first includes ` +
        `JIT warm-up${strategy === 'hash' ? '' : '; past 30,000 files a worker thread takes a share of the walk, not shown here'}). ` +
        `Self time of the main thread by origin, ${fmtMs(p.sampledMs)} sampled:`,
      '',
      table(
        ['where', 'self time', 'share'],
        p.categories.filter(([, ms]) => ms / p.sampledMs >= 0.005).map(([cat, ms]) => [cat, fmtMs(ms), pct(ms)]),
      ),
      '',
      'Top functions by self time:',
      '',
      table(
        ['function', 'self time', 'share'],
        p.functions.slice(0, 12).map(([fn, ms]) => [`\`${fn.replace(/\|/g, '\\|')}\``, fmtMs(ms), pct(ms)]),
      ),
      '',
    );
  }
  rmSync(profDir, { recursive: true, force: true });
  sections.push(out.join('\n'));
}
