// The CLI must use what `next build` would use: the options given to withStaticBust() in the app's
// next.config, and its basePath (root-absolute references in per-file fingerprints depend on it).
// cli/app-options.ts loads the config in `next info`'s phase, and withStaticBust() leaves them here.
// A symbol on globalThis, since the config may load another copy of this package (ESM or CJS).
import type { StaticBustOptions } from './options.js';

export const RECORD = Symbol.for('next-static-bust.options');
export const BASE_PATH_RECORD = Symbol.for('next-static-bust.base-path');

/** Next.js's PHASE_INFO (`next info`), in which the CLI loads the config: the wrapper writes nothing then. */
export const PHASE_INFO = 'phase-info';

/** Called by withStaticBust(): the options of the last call in this process. */
export function recordOptions(options: StaticBustOptions): void {
  (globalThis as Record<symbol, unknown>)[RECORD] = options;
}

/** Called by withStaticBust()'s config function in PHASE_INFO: the app's basePath. */
export function recordBasePath(basePath: string): void {
  (globalThis as Record<symbol, unknown>)[BASE_PATH_RECORD] = basePath;
}
