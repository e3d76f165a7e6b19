import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { IMMUTABLE } from './next-routes.js';

// Netlify's CDN and Cloudflare's asset layer answer static files before Next.js runs, so the
// headers and rewrites of next.config never reach them. Both read two plain-text files at the root
// of what is deployed, which `public/` becomes: `_headers` and `_redirects`. The package keeps its
// rules in one marked block at the top of each, so that a file of the user's is kept as it is
// around the block, and a file that held only the block is removed when the block goes.

export const BEGIN = '# BEGIN next-static-bust (written by next build; changes in this block are replaced)';
export const END = '# END next-static-bust';

export interface HostRules {
  namespace: string;
  basePath: string;
  /** The token the HTML of this build uses. */
  current: string;
  /** Tokens whose URLs answer with the files (the current one and the kept ones). */
  served: string[];
  /**
   * Whether the busted paths of the served tokens are rewritten to the plain files (the host has no
   * token folders in `public/`), or served from the token folders that are there.
   */
  rewrite: boolean;
}

/** The `_headers` block: busted paths of the served tokens are immutable. */
export function headersBlock(rules: HostRules): string[] {
  const lines: string[] = [];
  for (const token of rules.served) {
    lines.push(`${rules.basePath}/${rules.namespace}/${token}/*`, `  Cache-Control: ${IMMUTABLE}`);
  }
  return lines;
}

/**
 * The `_redirects` block. Rules are tried in order and the first that matches wins, so the served
 * tokens come first (rewritten to the file, a `200` rule), then every other token is sent to the
 * current file with a `307`, which nothing caches.
 */
export function redirectsBlock(rules: HostRules): string[] {
  const { basePath, namespace, current } = rules;
  const lines: string[] = [];
  if (rules.rewrite) {
    for (const token of rules.served) lines.push(`${basePath}/${namespace}/${token}/*  ${basePath}/:splat  200`);
  }
  // Without the rewrite, the served tokens' files are real files, which Netlify and Cloudflare serve
  // before they look at a redirect rule (rules are not forced), so the catch-all below never sends
  // an existing file away; a missing file of a served token would be sent to itself, though, so
  // those are listed to stop there.
  else for (const token of rules.served) lines.push(`${basePath}/${namespace}/${token}/*  ${basePath}/404  404`);
  lines.push(`${basePath}/${namespace}/:token/*  ${basePath}/${namespace}/${current}/:splat  307`);
  return lines;
}

/**
 * Writes (or, with `lines` empty, removes) the package's block in `public/<name>`. Content outside
 * the block is kept byte for byte; a file that would hold nothing but the block is not left behind.
 * Returns whether the file changed.
 */
export async function writeBlock(publicDir: string, name: '_headers' | '_redirects', lines: string[]): Promise<boolean> {
  const file = path.join(publicDir, name);
  const before = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const rest = before === undefined ? '' : withoutBlock(before, file);
  const block = lines.length > 0 ? [BEGIN, ...lines, END].join('\n') + '\n' : '';
  const after = block && rest ? `${block}\n${rest}` : block || rest;
  if (after === (before ?? '')) return false;
  if (after === '') {
    await fs.rm(file, { force: true });
    return true;
  }
  // Written aside and renamed, so that a host collecting public/ at this moment never reads half.
  const temp = `${file}.nsb-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.writeFile(temp, after);
    await fs.rename(temp, file);
  } finally {
    await fs.rm(temp, { force: true });
  }
  return true;
}

/** `text` without the package's block (and the blank line that separates it from the rest). */
function withoutBlock(text: string, file: string): string {
  const start = text.indexOf(BEGIN);
  if (start === -1) return text;
  const end = text.indexOf(END, start);
  if (end === -1) {
    // A block cut short by hand: the rest cannot be told from ours, so nothing is removed.
    throw new Error(
      `[next-static-bust] ${file} has the line "${BEGIN}" without the line "${END}" after it, so ` +
        'the generated rules cannot be told from yours. Restore the END line, or remove the block.',
    );
  }
  let after = text.slice(end + END.length);
  if (after.startsWith('\n')) after = after.slice(1);
  if (start === 0 && after.startsWith('\n')) after = after.slice(1);
  return text.slice(0, start) + after;
}
