// At `next start`: serve what the build chose (its env says which way, and which token or
// fingerprints), and nothing else. Usually the build's folders are there already, and a few
// synchronous reads (folders-ready.ts) say so: such a start loads neither the ways of serving nor
// the build's modules (serving.ts, build.ts).
import path from 'node:path';
import { LinkError, warnOnce } from './errors.js';
import { fingerprintFoldersReady, linksReady } from './folders-ready.js';
import { NO_ENTRIES } from './next-routes.js';
import type { ResolvedOptions } from './options.js';
import type { Served, Serving } from './serving.js';

const folders = () => import('./serve-folders.js');

/**
 * Makes sure the build's token (or fingerprints, `fingerprints` encoded) is served at `next start`
 * (the routes come from the build).
 */
export async function serveStart(
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  serving: Serving,
  fingerprints?: string,
): Promise<Served> {
  const nsDir = path.join(publicDir, opts.namespace);
  if (fingerprints !== undefined) {
    // Runtime code, loaded by per-file starts only.
    const { decodeFingerprints } = await import('./fingerprint-map.js');
    const served = [...new Set(decodeFingerprints(fingerprints).values())];
    if (serving === 'rewrite') return { serving, current: '', served, entries: NO_ENTRIES, fingerprints };
    // Usually the build's folders are all there: a few synchronous looks say so, before the code
    // that makes folders is loaded (serveFingerprintFolders() looks again, for the CLI's rotate).
    const ready = fingerprintFoldersReady(nsDir, served);
    if (ready) return { serving: 'files', current: '', served: ready, entries: NO_ENTRIES, fingerprints };
    try {
      return await (await folders()).serveFingerprintFolders(opts, publicDir, 'start', fingerprints);
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      warnOnce('links-start', error.detail);
      return { serving, current: '', served, entries: NO_ENTRIES, fingerprints };
    }
  }
  if (serving === 'rewrite') return { serving, current: token, served: [token], entries: NO_ENTRIES };
  const ready = serving === 'links' ? linksReady(publicDir, opts.namespace, token) : undefined;
  if (ready) return { serving, current: token, served: ready, entries: NO_ENTRIES };
  try {
    return await (await folders()).serveByFolders(serving, opts, publicDir, token, 'start');
  } catch (error) {
    if (!(error instanceof LinkError)) throw error;
    // The build's folder may well be there already (a read-only image built with it). The
    // headers of `next start` come from the build, so the list of served tokens does not matter.
    warnOnce('links-start', error.detail);
    return { serving, current: token, served: [token], entries: NO_ENTRIES };
  }
}
