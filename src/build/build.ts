// What withStaticBust() does at `next build`: the token (or fingerprints), the checks, the folders
// or rules that serve busted URLs. Loaded by the build only (config.ts imports it then), so that
// `next start` neither loads nor parses it.
import type { NextConfig } from 'next';
import { sayOnce, warnOnce } from '../shared/errors.js';
import type { FileStates } from './file-state.js';
import type { FingerprintOptions, Fingerprinted } from './fingerprints.js';
import { encodeIntegrity } from '../runtime/integrity.js';
import { findPublicDir, TOKEN_ENV, type ResolvedOptions } from '../plugin/options.js';
import { choosePlan, serveBuild, type Plan } from '../serving/plan.js';
import type { Served } from '../serving/served.js';

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
  const [{ listFiles }, { resolveToken }, { findNamedPaths }, { integrityWanted, integrityOf }] = await Promise.all([
    import('./public-files.js'),
    import('./token.js'),
    import('./app-sources.js'),
    import('./integrity.js'),
  ]);
  // One listing of public/ serves the token and the checks; one reading of the app's sources, the
  // checks and the integrity they ask for.
  const files = await listFiles({ publicDir, namespace: opts.namespace });
  const named = await findNamedPaths(opts.dir, user.distDir);
  const wanted = integrityWanted(named, files);
  const fingerprinted =
    opts.granularity === 'file' ? await fingerprintFiles(publicDir, files, { basePath: user.basePath ?? '', integrity: wanted }) : undefined;
  const plan = await avoidCatchAll(choosePlan(opts, user), opts);
  // What each file was as the token is made from it, for copies into the static folder (checked
  // against it after compiling). Links serve public/ as it is and need none: where they are refused,
  // the files are looked at when the static folder takes over, a moment after the token.
  const states: FileStates = new Map();
  // Resolved (and validated) before anything is written.
  const token = fingerprinted
    ? ''
    : await resolveToken({ ...opts, publicDir, files, states: plan.servings[0] === 'static' ? states : undefined });
  const fromTimes = !fingerprinted && fromStrategy(opts) && opts.strategy === 'mtime';
  if (fromTimes) await noticeBuildWrites(opts, user.distDir, publicDir, files, token);
  // The checks' modules are loaded by the build only: `next start` should not parse them.
  await (await import('./checks/before-build.js')).checkBeforeBuild({ opts, publicDir, files, named, fromTimes, perFile: !!fingerprinted });
  const content = fingerprinted ? { fingerprinted } : { token, files, states };
  // One token serves public/'s bytes: their integrity now, checked again once they are served.
  const integrity = fingerprinted?.integrity ?? integrityOf(publicDir, wanted);
  const made = await serveBuild({ plan, opts, publicDir, content, basePath: user.basePath ?? '' });
  const served = made && integrity.size > 0 ? { ...made, integrity: encodeIntegrity(integrity) } : made;
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
  options: FingerprintOptions,
): Promise<(Fingerprinted & { gzipBytes: number }) | undefined> {
  if (files.length === 0) return undefined;
  const { fingerprint, MAX_ENTRIES } = await import('./fingerprints.js');
  const { gzipSync } = await import('node:zlib');
  const fingerprinted = fingerprint(publicDir, files, options);
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

/**
 * With "mtime", files of public/ that a build writes (a feed, a search index) give every build a new
 * token, and every visitor every file again: said when the token changed and builds wrote such files.
 */
async function noticeBuildWrites(opts: ResolvedOptions, distDir: string | undefined, publicDir: string, files: string[], token: string): Promise<void> {
  const { readLastBuild, recordBuild, writtenByBuilds } = await import('./last-build.js');
  const written = writtenByBuilds(readLastBuild(opts.dir, distDir), token, publicDir, files);
  recordBuild(opts.dir, distDir, token);
  if (written.length === 0) return;
  warnOnce(
    'written-during-build',
    `${written.length} file${written.length === 1 ? ' of public/ was' : 's of public/ were'} written by this build ` +
      `or the last one (${written.slice(0, 3).join(', ')}${written.length > 3 ? ', …' : ''}), so the ` +
      '"mtime" token changes at every build, and with it every URL. Set `strategy: "hash"` (the token then ' +
      'changes only when bytes do) or `granularity: "file"` (only the files that changed get new URLs).',
  );
}

/** The token comes from the strategy: neither STATIC_BUST_TOKEN nor the token option sets it (as in resolveToken()). */
function fromStrategy(opts: ResolvedOptions): boolean {
  return !process.env[TOKEN_ENV] && opts.token === undefined;
}

/** Where the token came from, for the build line. */
function tokenSource(opts: ResolvedOptions): string {
  if (process.env[TOKEN_ENV]) return TOKEN_ENV;
  if (!fromStrategy(opts)) return 'the token option';
  return `the "${opts.strategy}" strategy${opts.ci ? `, the default where ${opts.ci}` : ''}`;
}

/**
 * Token folders in public/ share their prefix with the app's routes, so a root catch-all would answer
 * a missing file there (a typo) with the prefix's immutable header. The build's static folder is
 * Next.js's alone: such an app is served from there.
 */
async function avoidCatchAll(plan: Plan, opts: ResolvedOptions): Promise<Plan> {
  if (plan.exported || plan.servings[0] !== 'links') return plan;
  const catchAll = (await import('./checks/catch-all.js')).rootCatchAll(opts.dir);
  if (!catchAll) return plan;
  return { ...plan, servings: ['static'], reason: `${plan.reason}; ${catchAll} would answer missing files under the prefix` };
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
