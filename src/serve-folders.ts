import type { ResolvedOptions } from './options.js';
import { rotate } from './rotate.js';
import { NO_ENTRIES, topLevel } from './top-level.js';
import type { Served } from './serving.js';

/**
 * Serving by token folders in `public/<namespace>/<token>/`, which any server reading `public/`
 * from disk (`next start`, standalone `server.js`, nginx) finds under the busted path, and which a
 * host that collects `public/` (or `output: 'export'`) copies:
 *
 * - `'links'`, the seed's way: one relative link per top-level entry of `public/`;
 * - `'files'`: a hard link (or a copy) of every file, for hosts that would turn links into
 *   absolute links to the build machine (Netlify, OpenNext), and where links are refused.
 *
 * A build makes the token newest and expires old ones; a start only makes sure the build's token
 * folder is there. Throws a `LinkError` when the file system refuses.
 */
export async function serveByFolders(
  kind: 'links' | 'files',
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  mode: 'build' | 'start',
  files?: string[],
): Promise<Served> {
  const { tokens } = await rotate({ publicDir, namespace: opts.namespace, token, keep: opts.keep, mode, kind, files });
  // The entries go into the routes of a build; at start the routes are the build's.
  const entries = mode === 'build' ? topLevel(publicDir, opts.namespace) : NO_ENTRIES;
  return { serving: kind, current: token, served: tokens, entries };
}
