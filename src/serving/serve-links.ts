// Serving by token folders in `public/<namespace>/<token>/`, the seed's way: one relative link per
// top-level entry of `public/`, which any server reading `public/` from disk (`next start`,
// standalone `server.js`, nginx) finds under the busted path, and which `output: 'export'` copies
// into `out/` as real files. At `next start` the build's folder is restored (start/restore.ts).
import { rotate } from '../namespace/rotate.js';
import { topLevel } from '../namespace/top-level.js';
import type { ResolvedOptions } from '../plugin/options.js';
import type { Served } from './served.js';

/**
 * At `next build`: makes the token's folder the newest and expires old ones. Throws a `LinkError`
 * when the file system refuses.
 */
export async function serveLinks(opts: ResolvedOptions, publicDir: string, token: string): Promise<Served> {
  const { tokens } = await rotate({ publicDir, namespace: opts.namespace, token, keep: opts.keep });
  return { serving: 'links', current: token, served: tokens, entries: topLevel(publicDir, opts.namespace) };
}
