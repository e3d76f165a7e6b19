// What withStaticBust() does at `next build`: the token (or fingerprints), the checks, the folders
// or rules that serve busted URLs. Loaded by the build only (config.ts imports it then), so that
// `next start` neither loads nor parses it.
import path from 'node:path';
import type { NextConfig } from 'next';
import { sayOnce, StaticBustError, warnOnce } from './errors.js';
import type { FileStates } from './file-state.js';
import type { Fingerprinted } from './fingerprints.js';
import { findPublicDir, TOKEN_ENV, type ResolvedOptions } from './options.js';
import { choosePlan, serveBuild, type Plan, type Served } from './serving.js';

// Several evaluations of next.config within one command (and its worker processes, which inherit
// the environment) must agree on the token, even when it comes from a function that returns
// something new on every call. The first one computes it and leaves it here for the others.
const MEMO = '__NEXT_STATIC_BUST_BUILD';

/** At `next build`: the token or fingerprints of public/, after the checks, served the way the plan says. */
export async function build(opts: ResolvedOptions, user: NextConfig): Promise<Served | undefined> {
  const memo = readMemo(opts);
  if (memo) return memo.served;
  const publicDir = findPublicDir(opts);
  if (!publicDir) return remember(opts, undefined);
  // The scan (and node:crypto) is loaded by the build only: `next start` should not pay for it.
  const { listFiles, resolveToken } = await import('./token.js');
  // One listing of public/ serves the token and the checks.
  const files = await listFiles({ publicDir, namespace: opts.namespace });
  const fingerprinted = opts.granularity === 'file' ? await fingerprintFiles(publicDir, files) : undefined;
  const plan = await avoidCatchAll(choosePlan(opts, user), opts);
  // What each file was as the token is made from it, for copies into the static folder (checked
  // against it after compiling). Links serve public/ as it is and need none: where they are refused,
  // the files are looked at when the static folder takes over, a moment after the token.
  const states: FileStates = new Map();
  // Resolved (and validated) before anything is written.
  const token = fingerprinted
    ? ''
    : await resolveToken({ ...opts, publicDir, files, states: plan.servings[0] === 'static' ? states : undefined });
  await checkBeforeBuild(opts, publicDir, files, user.distDir, fingerprinted !== undefined);
  const content = fingerprinted ? { fingerprinted } : { token, files, states };
  const served = await serveBuild(plan, opts, publicDir, content, user.basePath ?? '');
  if (served) {
    const where = `${served.serving} for ${plan.exported ? 'a static export' : `${plan.platform}, ${plan.reason}`}`;
    const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
    const prefix = `${user.basePath ?? ''}${served.serving === 'static' ? '/_next/static/media' : ''}/${opts.namespace}`;
    sayOnce(
      'build',
      fingerprinted
        ? `busting ${count} of public/ under ${prefix}/<fingerprint>/ ` +
            `(${fingerprinted.fingerprints.size} fingerprints, one per ${fingerprinted.granularity}; ` +
            `${fingerprinted.gzipBytes} bytes gzip of them in the client JavaScript; ${where})`
        : `busting ${count} of public/ under ${prefix}/${token}/ ` +
            `(token from ${tokenSource(opts)}; ${where})`,
    );
  }
  return remember(opts, served);
}

/**
 * `granularity: 'file'`: the fingerprints, with what their map weighs gzipped, or undefined (one
 * token) when public/ is too large for their map in the browser, or empty. Loaded by the build only:
 * `next start` should not pay for the module or zlib.
 */
async function fingerprintFiles(
  publicDir: string,
  files: string[],
): Promise<(Fingerprinted & { gzipBytes: number }) | undefined> {
  if (files.length === 0) return undefined;
  const { fingerprint, MAX_ENTRIES } = await import('./fingerprints.js');
  const { gzipSync } = await import('node:zlib');
  const fingerprinted = fingerprint(publicDir, files);
  if (!fingerprinted) {
    warnOnce(
      'granularity',
      `granularity "file": public/ has ${files.length} files in more than ${MAX_ENTRIES} folders, too many ` +
        'fingerprints to send to the browser, so one token covers them all (any change gives every ' +
        'file a new URL). Move files that pages do not use (downloads, archives) out of public/.',
    );
    return undefined;
  }
  const gzipBytes = gzipSync(fingerprinted.encoded).length;
  if (fingerprinted.granularity === 'folder') {
    warnOnce(
      'granularity',
      `granularity "file": public/ has ${files.length} files, more than ${MAX_ENTRIES}, so fingerprints ` +
        `are per folder (${fingerprinted.fingerprints.size} of them, ${gzipBytes} bytes ` +
        'gzip in the client JavaScript): a change gives the files of its folder new URLs. Move files ' +
        'that pages do not use out of public/ to get one per file.',
    );
  }
  return { ...fingerprinted, gzipBytes };
}

/** Where the token came from, for the build line. */
function tokenSource(opts: ResolvedOptions): string {
  if (process.env[TOKEN_ENV]) return TOKEN_ENV;
  if (opts.token !== undefined) return 'the token option';
  return `the "${opts.strategy}" strategy`;
}

/**
 * Token folders in public/ share their prefix with the app's routes, so a root catch-all would answer
 * a missing file there (a typo) with the prefix's immutable header. The build's static folder is
 * Next.js's alone: such an app is served from there.
 */
async function avoidCatchAll(plan: Plan, opts: ResolvedOptions): Promise<Plan> {
  if (plan.exported || plan.servings[0] !== 'links') return plan;
  const catchAll = (await import('./routes.js')).rootCatchAll(opts.dir);
  if (!catchAll) return plan;
  return { ...plan, servings: ['static'], reason: `${plan.reason}; ${catchAll} would answer missing files under the prefix` };
}

/**
 * What a build can tell before it writes anything: references to files that do not exist,
 * stylesheets whose root-absolute url() escapes busting, and a token that changes
 * at every fresh clone in CI.
 */
async function checkBeforeBuild(
  opts: ResolvedOptions,
  publicDir: string,
  files: string[],
  distDir: string | undefined,
  perFile: boolean,
): Promise<void> {
  // The checks' modules are loaded by the build only: `next start` should not parse them.
  const [{ findMissingReferences }, { findRootAbsoluteUrls }] = await Promise.all([
    import('./missing-files.js'),
    import('./css-urls.js'),
  ]);
  const missing = await findMissingReferences(opts.dir, files, opts.namespace, distDir);
  if (missing.length > 0) {
    const list = missing
      .map((m) => `  ${m.where}: ${m.path}${m.suggestion ? ` (did you mean ${m.suggestion}?)` : ''}`)
      .join('\n');
    const message =
      `${missing.length === 1 ? 'a path' : `${missing.length} paths`} given to bust() or <BustedAsset> ` +
      `name${missing.length === 1 ? 's' : ''} no file in public/:\n${list}\n` +
      'Their busted URLs answer 404. Fix the path, or add the file to public/.';
    if (opts.missing === 'error') {
      throw new StaticBustError(`${message} (The build stops because of \`missing: 'error'\`.)`);
    }
    warnOnce('missing', `${message} Set \`missing: 'error'\` to stop the build instead.`);
  }
  const urls = findRootAbsoluteUrls(publicDir, files);
  if (urls.length > 0) {
    warnOnce(
      'css-urls',
      `${urls.length === 1 ? 'a stylesheet refers' : 'stylesheets refer'} to files of public/ by a ` +
        'root-absolute url(), which escapes busting (the file is asked for again on every visit, and a ' +
        `change to it does not reach browsers that keep the stylesheet):\n` +
        urls.map((u) => `  public/${u.stylesheet}: ${u.url} → make it ${u.relative}`).join('\n') +
        '\nA relative url() resolves under the same token, so it is busted with the stylesheet.',
    );
  }
  if (!perFile && process.env.CI && opts.strategy === 'mtime' && opts.token === undefined && !process.env[TOKEN_ENV]) {
    warnOnce(
      'ci-mtime',
      'CI is set and the token comes from modification times ("mtime", the default): a fresh clone ' +
        'gives every file the time of the clone, so every deploy changes every URL and returning ' +
        'visitors download every file again. Pin it with `strategy: "hash"` (or "git"), or set ' +
        `${TOKEN_ENV} to a commit or release id; or fingerprint each file with \`granularity: "file"\`.`,
    );
  }
}

function readMemo(opts: ResolvedOptions): { served: Served | undefined } | undefined {
  const raw = process.env[MEMO];
  if (!raw) return undefined;
  try {
    const memo = JSON.parse(raw) as { dir: string; namespace: string; served: Served | null };
    if (memo.dir === opts.dir && memo.namespace === opts.namespace) return { served: memo.served ?? undefined };
  } catch {
    // Not ours, or damaged: compute again.
  }
  return undefined;
}

function remember(opts: ResolvedOptions, served: Served | undefined): Served | undefined {
  process.env[MEMO] = JSON.stringify({ dir: opts.dir, namespace: opts.namespace, served: served ?? null });
  return served;
}

/** After compiling: the copies that a build served from its static folder needs (serve-static.ts). */
export async function copyToStatic(
  metadata: { projectDir: string; distDir: string },
  opts: ResolvedOptions,
  served: Served,
): Promise<void> {
  const publicDir = findPublicDir(opts);
  if (!publicDir) return;
  const { writeStaticCopies } = await import('./serve-static.js');
  await writeStaticCopies({ distDir: path.resolve(metadata.projectDir, metadata.distDir), publicDir, opts, served });
}

// Busted paths of the kinds of files public/ holds, asked of the proxy's matchers (some skip
// files by extension, and not all).
const PROBES = ['css/a.css', 'js/a.js', 'img/a.png', 'img/a.svg', 'fonts/a.woff2', 'docs/a.pdf', 'media/a.mp4', 'a.txt', 'a.json'];

/**
 * After compiling: stops the build (or, with `proxy: 'warn'`, warns) when the app's proxy runs for
 * busted URLs, with the matcher that leaves them out. A warning in a CI log is easily missed, and a
 * CDN keeps a login redirect sent with the immutable header for a year.
 */
export async function checkProxy(projectDir: string, served: Served, namespace: string, level: 'warn' | 'error'): Promise<void> {
  const { coveringMatchers } = await import('./proxy-check.js');
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
