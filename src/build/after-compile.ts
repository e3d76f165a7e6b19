// What withStaticBust() does after Next.js compiles (`compiler.runAfterProductionCompile`): the
// build folder has been emptied and made again by now, so copies into it stay, and the compiled
// proxy's matchers are there to read.
import path from 'node:path';
import { StaticBustError, warnOnce } from '../shared/errors.js';
import { findPublicDir, type ResolvedOptions } from '../plugin/options.js';
import type { Served } from '../serving/served.js';

export interface AfterCompile {
  /** What Next.js passes the hook. */
  metadata: { projectDir: string; distDir: string };
  opts: ResolvedOptions;
  served: Served;
  /** `output: 'export'`: no server, so no proxy. */
  exported: boolean;
  /** next.config's `basePath`. */
  basePath: string;
}

/** The copies of a build served from its static folder; the proxy check of one served by links. */
export async function afterCompile({ metadata, opts, served, exported, basePath }: AfterCompile): Promise<void> {
  if (served.serving === 'static') await copyToStatic(metadata, opts, served, basePath);
  // No header rule of ours covers the static folder, so a proxy's answer there is never immutable
  // (and a static export has no proxy).
  if (!exported && served.serving === 'links') await checkProxy(metadata.projectDir, served, opts.namespace, opts.proxy);
  if (served.serving === 'links' && served.integrity) await checkIntegrity(opts, served.integrity);
}

/**
 * Links serve public/ as it is: a script or stylesheet that the build wrote into after computing its
 * integrity would be refused by browsers. Nothing can be left out there, so the build says so.
 */
async function checkIntegrity(opts: ResolvedOptions, encoded: string): Promise<void> {
  const publicDir = findPublicDir(opts);
  if (!publicDir) return;
  const [{ integrityLost }, { decodeIntegrity }] = await Promise.all([import('./integrity.js'), import('../runtime/integrity.js')]);
  const lost = integrityLost(decodeIntegrity(encoded), (rel) => path.join(publicDir, rel));
  if (lost.length === 0) return;
  warnOnce(
    'integrity-changed',
    `${lost.length === 1 ? 'a file' : `${lost.length} files`} of public/ changed during the build after its integrity ` +
      `was computed (${lost.slice(0, 3).join(', ')}${lost.length > 3 ? ', …' : ''}), so browsers will refuse ` +
      `${lost.length === 1 ? 'it' : 'them'} where <BustedAsset integrity> or integrity() names ${lost.length === 1 ? 'it' : 'them'}. ` +
      'Write generated files into public/ before `next build` starts (a prebuild script), then build again.',
  );
}

/** After compiling: the copies that a build served from its static folder needs (serve-static.ts). */
async function copyToStatic(
  metadata: { projectDir: string; distDir: string },
  opts: ResolvedOptions,
  served: Served,
  basePath: string,
): Promise<void> {
  const publicDir = findPublicDir(opts);
  if (!publicDir) return;
  const { writeStaticCopies } = await import('../serving/serve-static.js');
  await writeStaticCopies({ distDir: path.resolve(metadata.projectDir, metadata.distDir), publicDir, opts, served, basePath });
}

// Busted paths of the kinds of files public/ holds, asked of the proxy's matchers (some skip
// files by extension, and not all).
const PROBES = ['css/a.css', 'js/a.js', 'img/a.png', 'img/a.svg', 'fonts/a.woff2', 'docs/a.pdf', 'media/a.mp4', 'a.txt', 'a.json'];

/**
 * After compiling: stops the build (or, with `proxy: 'warn'`, warns) when the app's proxy runs for
 * busted URLs, with the matcher that leaves them out. A warning in a CI log is easily missed, and a
 * CDN keeps a login redirect sent with the immutable header for a year.
 */
async function checkProxy(projectDir: string, served: Served, namespace: string, level: 'warn' | 'error'): Promise<void> {
  const { coveringMatchers } = await import('./checks/proxy-matchers.js');
  const token = served.current || served.served[0] || 'x';
  const probes = PROBES.map((file) => `/${namespace}/${token}/${file}`);
  const covering = coveringMatchers(projectDir, probes, namespace);
  if (covering.length === 0) return;
  const message =
    `the proxy (middleware) also runs for busted URLs: its matcher ${covering.map((m) => JSON.stringify(m.source)).join(', ')} ` +
      `covers ${[...new Set(covering.flatMap((m) => m.covers))].map((p) => p.replace(`/${token}/`, '/<token>/')).join(', ')}. Whatever it answers there, such as a redirect to a login page, gets the ` +
      'immutable Cache-Control of busted files, and a browser or CDN may keep it for a year. Leave the prefix out ' +
      'of its matcher' +
      (covering.every((m) => m.fix)
        ? `: ${covering.map((m) => JSON.stringify(m.fix)).join(', ')}.`
        : ` (see "Proxies" in the README of next-static-bust).`);
  if (level === 'error') {
    throw new StaticBustError(
      `${message} The build stops because of this (\`proxy: 'error'\`, the default); if your proxy answers ` +
        "busted URLs with the file itself, set `proxy: 'warn'` in withStaticBust()'s options.",
    );
  }
  warnOnce('proxy', message);
}
