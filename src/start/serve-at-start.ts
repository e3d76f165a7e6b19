// What withStaticBust() does at `next start`: serve what the build made (its token, or its
// fingerprints), found in the build's own record rather than computed again.
import { LinkError, sayOnce, warnOnce } from '../shared/errors.js';
import { NO_ENTRIES } from '../plugin/bust-routes.js';
import { findPublicDir, type ResolvedOptions } from '../plugin/options.js';
import type { Served } from '../serving/served.js';
import { readBuildInfo } from './build-info.js';
import { restore } from './restore.js';

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
  const asBuilt: Served = { serving: build.serving, current: build.token, served: [build.token], entries: NO_ENTRIES };
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
