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

/** Prints `message` once per command on standard error. */
export function warnOnce(key: string, message: string): void {
  if (firstTime(key)) console.warn(`${PREFIX} ${message}`);
}

/** Prints `message` once per command on standard output: what the package did, not a problem. */
export function sayOnce(key: string, message: string): void {
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
