import { existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { StaticBustError, warnOnce } from '../shared/errors.js';
import { TOKEN_ENV, type Strategy, type TokenSource } from '../plugin/options.js';
import { walkNewest } from './walk.js';
import { skipTop, type ScanOptions } from './public-files.js';
import { TOKEN_PATTERN } from '../shared/safe-names.js';
import { statState } from './file-state.js';

/**
 * Checks that `token` can be a single URL path segment and a folder name on every platform.
 * Throws before any file is touched.
 */
export function assertToken(token: unknown, origin: string): asserts token is string {
  if (typeof token === 'string' && TOKEN_PATTERN.test(token)) return;
  const shown = typeof token === 'string' ? JSON.stringify(token) : String(token);
  throw new StaticBustError(
    `${origin} gave the token ${shown}, which is not a valid token. ` +
      'A token is 1 to 64 characters of A-Z, a-z, 0-9, "_" and "-" ' +
      '(it becomes a folder name and a URL segment). Use a commit hash, a build number or a date.',
  );
}

/**
 * The newest modification time, in whole seconds, of the regular files under `public/`
 * (symlinks are neither followed nor counted). `"0"` for an empty folder.
 */
export async function mtimeToken(opts: ScanOptions): Promise<string> {
  // Without a listing, one walk lstats as it goes, in worker threads when public/ is large.
  let newest = opts.files ? 0 : await walkNewest({ publicDir: opts.publicDir, skipTop: skipTop(opts) });
  const base = opts.publicDir + path.sep;
  for (const file of opts.files ?? []) {
    // undefined: the file went away between the listing and now.
    const stat = lstatSync(base + file, LSTAT);
    if (!stat) continue;
    if (stat.mtimeMs > newest) newest = stat.mtimeMs;
    opts.states?.set(file, statState(stat));
  }
  return String(Math.floor(newest / 1000));
}

const LSTAT = { throwIfNoEntry: false } as const;

/**
 * The abbreviated hash of the last commit that touched `public/`, or `undefined` (with a warning
 * that says why) when there is no git, no commit, or uncommitted changes in `public/`.
 */
export async function gitToken(opts: ScanOptions): Promise<string | undefined> {
  const { execFileSync } = await import('node:child_process');
  const git = (args: string[]) =>
    execFileSync('git', args, {
      cwd: opts.publicDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  const scope = ['--', '.', `:(exclude)${opts.namespace}`];
  let commit: string;
  try {
    commit = git(['log', '-1', '--format=%h', '--abbrev=12', ...scope]);
  } catch {
    warnOnce(
      'git-missing',
      'strategy "git" found no git repository (or no git) for public/; using "mtime" instead. ' +
        'Build from a git checkout, or set `strategy: "hash"`.',
    );
    return undefined;
  }
  if (!commit) {
    warnOnce(
      'git-no-commit',
      'strategy "git" found no commit that touches public/; using "mtime" instead. ' +
        'Commit public/ first, or set `strategy: "hash"`.',
    );
    return undefined;
  }
  if (git(['status', '--porcelain', ...scope])) {
    warnOnce(
      'git-dirty',
      'strategy "git": public/ has uncommitted changes, so the last commit does not describe it; ' +
        'using "mtime" instead. Commit the changes (or git-ignore generated files) for a stable token.',
    );
    return undefined;
  }
  return commit;
}

export interface ResolveTokenOptions extends ScanOptions {
  strategy: Strategy;
  token?: TokenSource | undefined;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Chooses the token for a build: `STATIC_BUST_TOKEN`, else the `token` option, else the strategy.
 * Every result is validated; an invalid one throws before anything is written.
 */
export async function resolveToken(opts: ResolveTokenOptions): Promise<string> {
  const env = opts.env ?? process.env;
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    assertToken(fromEnv, `The environment variable ${TOKEN_ENV}`);
    return fromEnv;
  }
  if (opts.token !== undefined) {
    const token = typeof opts.token === 'function' ? await opts.token() : opts.token;
    assertToken(token, 'The `token` option');
    return token;
  }
  return strategyToken(opts);
}

/** The token that `strategy` derives from the files in `public/`. */
export async function strategyToken(opts: ScanOptions & { strategy: Strategy }): Promise<string> {
  if (!existsSync(opts.publicDir)) return '0';
  switch (opts.strategy) {
    case 'hash':
      // Loaded for this strategy only: node:crypto is a few ms of every CLI run.
      return (await import('./hash.js')).hashToken(opts);
    case 'git':
      return (await gitToken(opts)) ?? mtimeToken(opts);
    case 'mtime':
      return mtimeToken(opts);
  }
}
