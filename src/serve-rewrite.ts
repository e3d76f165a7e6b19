import type { Fingerprinted } from './fingerprints.js';
import type { ResolvedOptions } from './options.js';
import { clearNamespace } from './rotate.js';
import { topLevel } from './top-level.js';
import type { Served } from './serving.js';
import { warnOnce } from './errors.js';

/**
 * Serving by rewrite: nothing is written into `public/`. A `beforeFiles` rewrite in next.config
 * maps `/<namespace>/<token>/<entry>/…` to `/<entry>/…` for the top-level entries of `public/`, and
 * the header rule of the busted path still applies. For hosts that collect `public/` themselves
 * (Vercel recreates directory links where they dangle; OpenNext and Netlify copy them as absolute
 * links to the build machine), and for servers where links cannot be made.
 *
 * Only the current token (or, with `granularity: 'file'`, the build's fingerprints) is served:
 * each build of these hosts is a deploy of its own, and older tokens are redirected to the current
 * file.
 */
export async function serveByRewrite(
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  fingerprinted?: Fingerprinted,
): Promise<Served> {
  // Links left by an earlier build on this machine would be collected (and break the deploy).
  if (!(await clearNamespace(publicDir, opts.namespace).catch(() => false))) {
    warnOnce(
      'namespace-left',
      `public/${opts.namespace} could not be removed (it holds files that next-static-bust did not ` +
        'make, or public/ is read-only); a host that collects public/ will upload it. Move it out of public/.',
    );
  }
  const entries = topLevel(publicDir, opts.namespace);
  if (fingerprinted) {
    const served = [...new Set(fingerprinted.fingerprints.values())].sort();
    return { serving: 'rewrite', current: '', served, entries, fingerprints: fingerprinted.encoded };
  }
  return { serving: 'rewrite', current: token, served: [token], entries };
}
