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
// printed five times reads like five problems. The key lives on process.env so that child
// processes, which inherit it, stay quiet too.
const SEEN = '__NEXT_STATIC_BUST_WARNED';

/** Prints `message` once per command, however many times and processes next.config runs in. */
export function warnOnce(key: string, message: string): void {
  const seen = (process.env[SEEN] ?? '').split(',');
  if (seen.includes(key)) return;
  process.env[SEEN] = [...seen.filter(Boolean), key].join(',');
  console.warn(`${PREFIX} ${message}`);
}
