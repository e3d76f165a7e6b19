import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { StaticBustError } from './errors.js';
import { NEXT_CONFIG_FILES, type StaticBustOptions } from './options.js';

// The CLI must use what `next build` would use: the options given to withStaticBust() in the app's
// next.config. Next.js's own loader reads the config (next.config.ts included) in a phase in which
// the wrapper writes nothing; withStaticBust() leaves its options here when the config calls it. A
// symbol on globalThis, since the config may load another copy of this package (ESM or CJS).
const RECORD = Symbol.for('next-static-bust.options');

/** Called by withStaticBust(): the options of the last call in this process. */
export function recordOptions(options: StaticBustOptions): void {
  (globalThis as Record<symbol, unknown>)[RECORD] = options;
}

// Next.js's PHASE_INFO (`next info`): the wrapper does nothing in it but return the config.
const PHASE_INFO = 'phase-info';

export interface AppOptions {
  /** The config file that was read, or undefined when the app has none. */
  file: string | undefined;
  /** The options its withStaticBust() call was given, or undefined when it has none. */
  options: StaticBustOptions | undefined;
}

/** Loads the app's next.config with Next.js's loader and returns the options of its withStaticBust(). */
export async function readAppOptions(dir: string): Promise<AppOptions> {
  const file = NEXT_CONFIG_FILES.find((name) => existsSync(path.join(dir, name)));
  if (!file) return { file: undefined, options: undefined };
  let loadConfig: (phase: string, dir: string, opts?: object) => Promise<unknown>;
  try {
    // The app's own Next.js, as `next build` uses it; then the one beside this package.
    const fromApp = createRequire(path.join(dir, 'package.json'));
    const fromHere = createRequire(path.join(process.cwd(), 'package.json'));
    const id = 'next/dist/server/config';
    const mod = (() => {
      try {
        return fromApp(id) as { default: typeof loadConfig };
      } catch {
        return fromHere(id) as { default: typeof loadConfig };
      }
    })();
    loadConfig = mod.default;
  } catch {
    throw new StaticBustError(
      `could not read ${file}: Next.js is not installed in ${dir}. Run the command in the app's ` +
        'folder (or pass --dir) after installing its dependencies.',
    );
  }
  delete (globalThis as Record<symbol, unknown>)[RECORD];
  try {
    await loadConfig(PHASE_INFO, dir, { silent: true });
  } catch (error) {
    throw new StaticBustError(`could not read ${file}: ${(error as Error).message}`);
  }
  const options = (globalThis as Record<symbol, unknown>)[RECORD] as StaticBustOptions | undefined;
  return { file, options };
}
