import type { ResolvedOptions } from './options.js';
import { rotate } from './rotate.js';
import { NO_ENTRIES } from './next-routes.js';
import { topLevel } from './top-level.js';
import type { Served } from './serving.js';

/**
 * Serving by token folders in `public/<namespace>/<token>/`, the seed's way: one relative link per
 * top-level entry of `public/`, which any server reading `public/` from disk (`next start`,
 * standalone `server.js`, nginx) finds under the busted path, and which `output: 'export'` copies
 * into `out/` as real files.
 *
 * A build makes the token newest and expires old ones; a start only makes sure the build's token
 * folder is there. Throws a `LinkError` when the file system refuses.
 */
export async function serveByFolders(
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  mode: 'build' | 'start',
): Promise<Served> {
  const { tokens } = await rotate({ publicDir, namespace: opts.namespace, token, keep: opts.keep, mode });
  // The entries go into the routes of a build; at start the routes are the build's.
  const entries = mode === 'build' ? topLevel(publicDir, opts.namespace) : NO_ENTRIES;
  return { serving: 'links', current: token, served: tokens, entries };
}
