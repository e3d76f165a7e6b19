import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StaticBustError, warnOnce } from '../shared/errors.js';
import { IMMUTABLE } from '../plugin/bust-routes.js';
import type { Platform } from '../plugin/options.js';
import { MANIFEST } from '../namespace/manifest.js';
import { RULE_FILES, type RulesFile } from '../shared/rule-files.js';

// Netlify's CDN and Cloudflare's asset layer answer static files before Next.js runs, so the
// headers of next.config never reach them. They read plain-text files at the root of what is
// deployed, which `public/` becomes: `_headers` (both), `_redirects` (both; Cloudflare applies it
// even where a file exists, so a catch-all redirect for old tokens would loop there) and
// `.assetsignore` (Cloudflare: files not to upload). The package keeps its rules in one marked
// block at the top of each, so that a file of the user's is kept as it is around the block, and a
// file that held only the block is removed when the block goes.

export const BEGIN = '# BEGIN next-static-bust (written by next build; changes in this block are replaced)';
export const END = '# END next-static-bust';

export interface HostRules {
  platform: Platform;
  exported: boolean;
  namespace: string;
  basePath: string;
  /** How the build serves busted URLs: token folders of links in public/, or its static folder. */
  serving: 'links' | 'static';
  /** The token the HTML of this build uses (empty for per-file fingerprints). */
  current: string;
  /** Tokens whose folders are served (the current one and the kept ones). */
  served: string[];
}

/** The lines of each file's block for `rules`; files not named get no block. */
export function hostRules(rules: HostRules): Partial<Record<RulesFile, string[]>> {
  const { platform, exported, basePath, namespace, current, served, serving } = rules;
  if (serving === 'static') {
    // Netlify's plugin marks /_next/static/* immutable itself; Cloudflare's asset layer and a
    // static export's host do only with a rule. The folder holds busted files and nothing else.
    return { _headers: [`${basePath}/_next/static/media/${namespace}/*`, `  Cache-Control: ${IMMUTABLE}`] };
  }
  const prefix = `${basePath}/${namespace}`;
  const blocks: Partial<Record<RulesFile, string[]>> = {
    // Busted paths of the served tokens are immutable (a path changes whenever its file does). Both
    // hosts apply these headers to files they serve, not to redirects or what Next.js answers.
    _headers: served.flatMap((token) => [`${prefix}/${token}/*`, `  Cache-Control: ${IMMUTABLE}`]),
  };
  if (platform === 'netlify') {
    // The bookkeeping exists as a file, so only a forced rule (`!`) keeps it from being served.
    const lines = [`${prefix}/${MANIFEST}  ${basePath}/404  404!`];
    if (exported) {
      // No Next.js behind a static export: old tokens are redirected here. Rules are skipped where
      // a file exists (not forced), so a served token's files are served, and its missing files
      // stop at a 404 before the catch-all could send them to themselves.
      for (const token of served) lines.push(`${prefix}/${token}/*  ${basePath}/404  404`);
      lines.push(`${prefix}/:token/*  ${prefix}/${current}/:splat  307`);
    }
    blocks._redirects = lines;
  }
  if (platform === 'cloudflare') blocks['.assetsignore'] = [`**/${namespace}/${MANIFEST}`];
  return blocks;
}

/**
 * Writes the blocks of `rules` into `public/`, and takes the package's block out of the other files.
 * A rule file that cannot be a rule file (a folder, a FIFO, a link to one) is left as it is, with a
 * warning: the rest of the build goes on.
 */
export async function writeHostRules(publicDir: string, rules: HostRules | undefined): Promise<void> {
  const blocks = rules ? hostRules(rules) : {};
  for (const name of RULE_FILES) {
    try {
      await writeBlock(publicDir, name, blocks[name] ?? []);
    } catch (error) {
      if (!(error instanceof StaticBustError)) throw error;
      warnOnce(`rules-${name}`, error.detail);
    }
  }
}

/**
 * Writes (or, with `lines` empty, removes) the package's block in `public/<name>`. Content outside
 * the block is kept byte for byte; a file that would hold nothing but the block is not left behind.
 * Returns whether the file changed.
 */
export async function writeBlock(publicDir: string, name: RulesFile, lines: string[]): Promise<boolean> {
  const file = await ruleFile(publicDir, name);
  const linked = file !== path.join(publicDir, name);
  const before = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const rest = before === undefined ? '' : withoutBlock(before, file);
  const block = lines.length > 0 ? [BEGIN, ...lines, END].join('\n') + '\n' : '';
  const after = block && rest ? `${block}\n${rest}` : block || rest;
  if (after === (before ?? '')) return false;
  if (after === '' && !linked) {
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
    throw new StaticBustError(
      `${file} has the line "${BEGIN}" without the line "${END}" after it, so ` +
        'the generated rules cannot be told from yours. Restore the END line, or remove the block.',
    );
  }
  let after = text.slice(end + END.length);
  if (after.startsWith('\n')) after = after.slice(1);
  if (start === 0 && after.startsWith('\n')) after = after.slice(1);
  return text.slice(0, start) + after;
}

/**
 * The file to read and write for `public/<name>`, looked at with lstat before anything is read
 * (reading a FIFO would hang the build): the path itself for a regular file or none, the file a
 * link points to (written through, so the user's link stays a link). Anything else, a dangling link
 * included, is refused: it is not a rule file the package may write.
 */
async function ruleFile(publicDir: string, name: RulesFile): Promise<string> {
  const file = path.join(publicDir, name);
  const stat = await fs.lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!stat || stat.isFile()) return file;
  const target = stat.isSymbolicLink() ? await fs.realpath(file).catch(() => undefined) : undefined;
  const targetStat = target ? await fs.stat(target).catch(() => undefined) : undefined;
  if (stat.isSymbolicLink() && (!target || !targetStat)) {
    throw new StaticBustError(
      `public/${name} is a link to a file that does not exist, so the host's rules were not written into it. ` +
        'Create the file it points to, or replace the link with a file.',
    );
  }
  if (target && targetStat?.isFile()) return target;
  throw new StaticBustError(
    `public/${name} is ${stat.isDirectory() || targetStat?.isDirectory() ? 'a folder' : 'not a regular file (a FIFO, socket or device)'}, ` +
      "so the host's rules were not written into it and busted files are not sent with immutable caching there. " +
      `Replace it with a regular file (or remove it and let the build write it).`,
  );
}
