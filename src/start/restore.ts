// At `next start`, and from the CLI's `rotate`: what the build chose (its env says which way, and
// which token or fingerprints), made sure of again, and nothing else. Busted files in the build's
// static folder are served by Next.js as they are; a token folder of links is usually there
// already, and a few synchronous reads (namespace/manifest.ts) say so: such a start loads neither the code
// that makes folders nor the build's modules.
import path from 'node:path';
import { linksReady } from '../namespace/manifest.js';
import { NO_ENTRIES } from '../plugin/bust-routes.js';
import { findPublicDir, type ResolvedOptions } from '../plugin/options.js';
import type { Served } from '../serving/served.js';
import { LinkError, sayOnce, warnOnce } from '../shared/errors.js';
import { readBuildInfo, type BuildInfo } from './build-info.js';

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
  const base = { serving, current: token, entries: NO_ENTRIES, ...(build.integrity !== undefined && { integrity: build.integrity }) };
  if (serving === 'static') {
    const fingerprints = build.fingerprints !== undefined && { fingerprints: build.fingerprints };
    return { served: { ...base, served: token ? [token] : [], ...fingerprints } };
  }
  const ready = linksReady(publicDir, namespace, token);
  const folder = path.join(publicDir, namespace, token);
  if (ready) return { served: { ...base, served: ready }, folder };
  // Loaded only when something must be made.
  const result = await (await import('../namespace/rotate.js')).restoreLinks({ publicDir, namespace, token });
  if (result.status === 'missing-public') return undefined;
  return { served: { ...base, served: result.tokens }, folder: result.dir };
}

/** At `next start`: what the build serves, made sure of again; undefined for a build made without busting. */
export async function serveAtStart(opts: ResolvedOptions, distDir: string | undefined): Promise<Served | undefined> {
  const publicDir = findPublicDir(opts);
  if (!publicDir) return undefined;
  const build = readBuildInfo(opts.dir, distDir);
  if (!build) return undefined; // built without busting: the HTML has plain URLs
  if (build.namespace !== opts.namespace) {
    warnOnce(
      'namespace-changed',
      `this build was made with namespace "${build.namespace}" but the config now says ` +
        `"${opts.namespace}"; serving the build's. Run \`next build\` again to use the new one.`,
    );
  }
  // The routes of a start are the build's: what the build served is what matters, made or not.
  const asBuilt: Served = {
    serving: build.serving,
    current: build.token,
    served: [build.token],
    entries: NO_ENTRIES,
    ...(build.integrity !== undefined && { integrity: build.integrity }),
  };
  let served = asBuilt;
  try {
    served = (await restore(build, publicDir))?.served ?? asBuilt;
  } catch (error) {
    if (!(error instanceof LinkError)) throw error;
    // The build's folder may well be there already (a read-only image built with it).
    warnOnce('links-start', error.detail);
  }
  const where = build.serving === 'static' ? `/_next/static/media/${build.namespace}` : `/${build.namespace}`;
  sayOnce(
    'start',
    build.fingerprints
      ? `serving the build's fingerprints under ${where}/<fingerprint>/ (${build.serving})`
      : `serving the build's token under ${where}/${build.token}/ (${build.serving})`,
  );
  return served;
}
