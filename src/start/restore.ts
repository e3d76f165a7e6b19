// At `next start`, and from the CLI's `rotate`: what the build chose (its env says which way, and
// which token or fingerprints), made sure of again, and nothing else. Busted files in the build's
// static folder are served by Next.js as they are; a token folder of links is usually there
// already, and a few synchronous reads (links-ready.ts) say so: such a start loads neither the code
// that makes folders nor the build's modules.
import type { BuildInfo } from './build-info.js';
import { linksReady } from '../namespace/links-ready.js';
import { NO_ENTRIES } from '../plugin/bust-routes.js';
import type { Served } from '../serving/served.js';

export interface Restored {
  served: Served;
  /** The token folder of links in public/; undefined when the build serves from its static folder. */
  folder?: string;
}

/**
 * Makes sure what `build` serves is there: its token folder of links in `publicDir`, made again if
 * it is missing or incomplete. Undefined when there is no public/. Throws a `LinkError` when the
 * file system refuses the links. The routes of a start are the build's, so the list of served
 * tokens does not matter.
 */
export async function restore(build: BuildInfo, publicDir: string): Promise<Restored | undefined> {
  const { token, namespace, serving } = build;
  if (serving === 'static') {
    const fingerprints = build.fingerprints !== undefined && { fingerprints: build.fingerprints };
    return { served: { serving, current: token, served: token ? [token] : [], entries: NO_ENTRIES, ...fingerprints } };
  }
  const ready = linksReady(publicDir, namespace, token);
  const folder = `${publicDir}/${namespace}/${token}`;
  if (ready) return { served: { serving, current: token, served: ready, entries: NO_ENTRIES }, folder };
  // Loaded only when something must be made.
  const result = await (await import('../namespace/rotate.js')).restoreLinks({ publicDir, namespace, token });
  if (result.status === 'missing-public') return undefined;
  return { served: { serving, current: token, served: result.tokens, entries: NO_ENTRIES }, folder: result.dir };
}
