// At `next start`: serve what the build chose (its env says which way, and which token or
// fingerprints), and nothing else. Busted files in the build's static folder are served by Next.js
// as they are; a token folder of links is usually there already, and a few synchronous reads
// (folders-ready.ts) say so: such a start loads neither the ways of serving nor the build's
// modules (serving.ts, build.ts).
import { LinkError, warnOnce } from './errors.js';
import { linksReady } from './folders-ready.js';
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
  if (serving === 'static') {
    // The routes of a start are the build's, so the list of served tokens does not matter.
    return { serving, current: token, served: token ? [token] : [], entries: NO_ENTRIES, ...(fingerprints !== undefined && { fingerprints }) };
  }
  const ready = linksReady(publicDir, opts.namespace, token);
  if (ready) return { serving, current: token, served: ready, entries: NO_ENTRIES };
  try {
    return await (await folders()).serveByFolders(opts, publicDir, token, 'start');
  } catch (error) {
    if (!(error instanceof LinkError)) throw error;
    // The build's folder may well be there already (a read-only image built with it). The
    // headers of `next start` come from the build, so the list of served tokens does not matter.
    warnOnce('links-start', error.detail);
    return { serving, current: token, served: [token], entries: NO_ENTRIES };
  }
}
