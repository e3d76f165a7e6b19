export const PREFIX = '[next-static-bust]';

/** An error caused by the user's options or files; its message says what is wrong and the fix. */
export class StaticBustError extends Error {
  /** The message without the prefix, for warnings that add their own. */
  readonly detail: string;

  constructor(message: string) {
    super(`${PREFIX} ${message}`);
    this.name = 'StaticBustError';
    this.detail = message;
  }
}

// next.config is evaluated several times per command (and in worker processes); the same warning
// printed five times reads like five problems. The keys live on process.env so that child
// processes, which inherit them, stay quiet too.
const SEEN = '__NEXT_STATIC_BUST_WARNED';

/** True the first time `key` is seen in this command, however many processes it runs in. */
function firstTime(key: string): boolean {
  const seen = (process.env[SEEN] ?? '').split(',');
  if (seen.includes(key)) return false;
  process.env[SEEN] = [...seen.filter(Boolean), key].join(',');
  return true;
}

/** Each warning the package gives, by the key that prints it once per command. */
export type WarningKey =
  // options and the app
  | 'no-public'
  | 'missing'
  | 'css-urls'
  | 'ci-mtime'
  | 'granularity'
  | 'proxy'
  // the token
  | 'git-missing'
  | 'git-no-commit'
  | 'git-dirty'
  | 'unreadable'
  | 'written-during-build'
  | 'integrity-changed'
  // what the package writes
  | 'manifest-entries'
  | 'links-build'
  | 'links-start'
  | 'host-rules'
  | 'rules-_headers'
  | 'rules-_redirects'
  | 'rules-.assetsignore'
  | 'namespace-left'
  | 'static-folder'
  | 'unreadable-copy'
  | 'changed-during-build'
  // next start
  | 'build-info'
  | 'namespace-changed';

/** Prints `message` once per command on standard error. */
export function warnOnce(key: WarningKey, message: string): void {
  if (firstTime(key)) console.warn(`${PREFIX} ${message}`);
}

/** Prints `message` once per command on standard output: what the package did, not a problem. */
export function sayOnce(key: 'build' | 'start', message: string): void {
  if (firstTime(`say-${key}`)) console.log(`${PREFIX} ${message}`);
}

/** Thrown when the file system refuses the links (read-only, no symlinks): URLs must fall back. */
export class LinkError extends StaticBustError {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

/** The errno code of a file-system error (`ENOENT`, …), if it has one. */
export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** What a bad value is, for an error message: `null`, `array`, or its `typeof`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
