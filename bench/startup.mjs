// `npm run bench:startup`: what next.config with withStaticBust() costs a process that starts
// (`next start`, `next dev`): loading the config entry, and its first call at the start phase in a
// built app (it re-makes the build's token folder if needed), each against a bare `node -e ''`.
// Medians of 21 fresh processes, interleaved.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const config = path.join(ROOT, 'dist/cjs/config.js');
const app = process.argv[2] ? path.resolve(process.argv[2]) : path.join(ROOT, 'example-app');
if (!existsSync(path.join(app, '.next/required-server-files.json'))) {
  console.error(`${app} has no build: run \`next build\` in it first (npm run example does).`);
  process.exit(1);
}
const RUNS = Number(process.env.BENCH_RUNS) || 21;
const cases = {
  'node -e ""': '',
  'load next-static-bust/config': `require(${JSON.stringify(config)})`,
  'load + call at the start phase': `require(${JSON.stringify(config)}).withStaticBust({})('phase-production-server', { defaultConfig: {} })`,
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, code] of Object.entries(cases)) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', code], { cwd: app, stdio: 'ignore' });
    samples[name].push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = median(samples['node -e ""']);
console.log(`| process (${RUNS} runs, median) | time | over bare node |\n| --- | --- | --- |`);
for (const [name, xs] of Object.entries(samples)) {
  console.log(`| ${name} | ${median(xs).toFixed(1)} ms | ${(median(xs) - bare).toFixed(1)} ms |`);
}
