// Compiles src/ twice: ES modules for bundlers and `import`, CommonJS for `require` (next.config.js
// and the CLI). Each output folder gets a package.json that tells Node which one it holds.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (args) => execFileSync('npx', ['tsc', ...args], { stdio: 'inherit' });
const common = ['-p', 'tsconfig.build.json', '--sourceMap', 'false'];

rmSync('dist', { recursive: true, force: true });
tsc([...common, '--outDir', 'dist/esm', '--module', 'ESNext', '--moduleResolution', 'Bundler']);
tsc([...common, '--outDir', 'dist/cjs', '--module', 'CommonJS', '--moduleResolution', 'Node10', '--ignoreDeprecations', '5.0']);
for (const [dir, type] of [['dist/esm', 'module'], ['dist/cjs', 'commonjs']]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
rmSync('dist/esm/bin.js', { force: true });
rmSync('dist/esm/bin.d.ts', { force: true });
