// Compiles src/ twice: ES modules for bundlers and `import`, CommonJS for `require` (next.config.js
// and the CLI). Each output folder gets a package.json that tells Node which one it holds.
// The output is made aside and swapped in at the end, so that a test or a `next build` reading
// dist/ meanwhile never sees half of it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const out = `dist.tmp-${process.pid}`;
const tsc = (args) => execFileSync('npx', ['tsc', ...args], { stdio: 'inherit' });
const common = ['-p', 'tsconfig.build.json', '--sourceMap', 'false'];

try {
  tsc([...common, '--outDir', `${out}/esm`, '--module', 'ESNext', '--moduleResolution', 'Bundler']);
  tsc([...common, '--outDir', `${out}/cjs`, '--module', 'CommonJS', '--moduleResolution', 'Node10', '--ignoreDeprecations', '5.0']);
  for (const [dir, type] of [[`${out}/esm`, 'module'], [`${out}/cjs`, 'commonjs']]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
  }
  // The CLI is CommonJS only (package.json's "bin").
  rmSync(`${out}/esm/bin.js`, { force: true });
  rmSync(`${out}/esm/bin.d.ts`, { force: true });
  rmSync('dist', { recursive: true, force: true });
  renameSync(out, 'dist');
} finally {
  rmSync(out, { recursive: true, force: true });
}
