import type { ResolvedOptions } from './options.js';
import { rotate } from './rotate.js';
import type { Served } from './serving.js';

/**
 * Serving by links, the seed's way: `public/<namespace>/<token>/` holds one relative link per
 * top-level entry of `public/`, so that any server reading `public/` from disk (`next start`,
 * standalone `server.js`, nginx) finds the file under the busted path, and `output: 'export'`
 * copies real files into `out/`. A build makes the token newest and expires old ones; a start only
 * makes sure the build's token folder is there.
 *
 * Throws a `LinkError` when the file system refuses links.
 */
export async function serveByLinks(
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  mode: 'build' | 'start',
): Promise<Served> {
  const { tokens } = await rotate({ publicDir, namespace: opts.namespace, token, keep: opts.keep, mode });
  return { serving: 'links', current: token, served: tokens, entries: [] };
}
