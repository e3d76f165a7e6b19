// The names the package joins to paths it writes or deletes. Each may come back from disk (the
// manifest, the build's env in .next/), where anyone who can write a file can put anything; so each
// is checked against its form before use, whoever wrote it.

/** A token, fingerprint or namespace: one URL segment and one folder name on every platform. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/**
 * Whether `rel` is a plain relative path that stays inside the folder it is joined to: no empty,
 * `.` or `..` segment, not absolute, no backslash or NUL.
 */
export function isSafeRelative(rel: unknown): rel is string {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0') || rel.includes('\\')) return false;
  return rel.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
