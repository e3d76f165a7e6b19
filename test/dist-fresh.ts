// A global setup of the projects that load the package from dist/ (e2e, platforms, plugins, next15):
// refuses to run them on a dist/ older than src/, which would test whatever was built last.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The modification times of the files under `dir`, in ms. */
function times(dir: string): number[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
}

export default function distFresh(): void {
  const src = times(path.join(ROOT, 'src'));
  let built: number[];
  try {
    built = times(path.join(ROOT, 'dist'));
  } catch {
    built = [];
  }
  if (built.length === 0) {
    throw new Error('dist/ is missing: these tests load the package from it. Run `npm run build` first (npm test does).');
  }
  if (Math.max(...src) > Math.min(...built)) {
    throw new Error('dist/ is older than src/ (a file changed after the last build): these tests load the package from dist/. Run `npm run build` first (npm test does).');
  }
}
