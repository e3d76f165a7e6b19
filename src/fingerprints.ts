import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeFingerprints, FINGERPRINT_LENGTH } from './fingerprint-map.js';
import { hashFile, warnUnreadable } from './hash.js';

// `granularity: 'file'`: each file of public/ gets a URL of its own, /<namespace>/<fingerprint>/<path>,
// that changes only when the file does, as in Propshaft, Vite or Django's manifest storage.
//
// A stylesheet or module refers to other files of public/ by relative URLs (url(../img/bg.png),
// import './util.js'). As Propshaft does, the copy served under the fingerprint has each such
// reference rewritten to the other file's own busted URL (still relative, so a basePath or an
// asset host keeps working): the browser fetches and caches the image once, whether a stylesheet
// or bust() asked for it, and the stylesheet's fingerprint, a digest of the rewritten copy,
// changes whenever the image's does. public/ itself is never rewritten.
//
// Files that refer to each other in a cycle cannot each name the other's fingerprint: they share
// one, keep their references as written, and are served from the same folder.

export type Granularity = 'file' | 'folder';

export interface Fingerprinted {
  granularity: Granularity;
  /** A file path (`css/site.css`), or a folder path ending in `/` (`css/`, the root is `/`), to its fingerprint. */
  fingerprints: Map<string, string>;
  /** Each fingerprint to the files that its folder holds, sorted. */
  folders: Record<string, string[]>;
  /**
   * The files whose copy under a fingerprint differs from public/ (references rewritten), by
   * `<fingerprint>/<path>`. Every other file of a folder is a copy of the one in public/.
   */
  rewritten: Map<string, Buffer>;
  /**
   * The SHA-256 of each file's bytes as fingerprinted (the rewritten copy's where there is one), by
   * `<fingerprint>/<path>`: a folder serves a file only when its copy has exactly these bytes.
   */
  digests: Map<string, string>;
  /** `fingerprints` as bust() reads it (see fingerprint-map.ts). */
  encoded: string;
}

/**
 * Past this many files, fingerprints are per folder, and past this many folders, one token for
 * all: the map goes into the client JavaScript, and grows with each entry (about 9 to 10 bytes gzip per
 * file: `npm run bench`, section 7).
 */
export const MAX_ENTRIES = 1000;

/**
 * Fingerprints for `files` of `publicDir` (as `listFiles()` gives them): per file, else per folder
 * (past `max` files), else undefined (past `max` folders: use one token). A `forced` granularity
 * is used whatever the count (at start, to make the build's fingerprints again).
 */
export function fingerprint(
  publicDir: string,
  files: string[],
  forced?: Granularity,
  max = MAX_ENTRIES,
): Fingerprinted | undefined {
  const granularity: Granularity = forced ?? (files.length <= max ? 'file' : 'folder');
  const unitOf = (file: string) => (granularity === 'file' ? file : file.slice(0, file.lastIndexOf('/') + 1) || '/');
  const units = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const key = unitOf(file);
    const unit = units.get(key);
    if (unit) unit.push(file);
    else units.set(key, [file]);
  }
  if (!forced && granularity === 'folder' && units.size > max) return undefined;

  const known = new Set(files);
  const refs = new Map<string, Reference[]>();
  for (const file of files) refs.set(file, references(publicDir, file, known));

  const fingerprints = new Map<string, string>();
  const folders: Record<string, string[]> = {};
  const rewritten = new Map<string, Buffer>();
  const digests = new Map<string, string>();
  const unreadable: string[] = [];
  const buffer = Buffer.allocUnsafe(1 << 20);
  // Each group of units that refer to each other gets one fingerprint; a group is done after every
  // group it refers to, so their fingerprints are known when its references are rewritten.
  for (const group of cycles(units, (key) => units.get(key)!.flatMap((f) => refs.get(f)!.map((r) => unitOf(r.target))))) {
    const inGroup = new Set(group);
    const held: string[] = [];
    const contents = new Map<string, Buffer>();
    const fileDigests = new Map<string, string>();
    const hash = createHash('sha256');
    for (const file of group.flatMap((key) => units.get(key)!).sort()) {
      const outward = refs.get(file)!.filter((r) => !inGroup.has(unitOf(r.target)));
      const content = outward.length > 0 ? rewrite(publicDir, file, outward, (target) => fingerprints.get(unitOf(target))!) : undefined;
      if (content) contents.set(file, content);
      const digest = content ? createHash('sha256').update(content).digest('hex') : hashFile(path.join(publicDir, file), buffer);
      if (digest === undefined) {
        // Gone since the listing, or unreadable: no fingerprint, so bust() leaves its path plain.
        if (existsSync(path.join(publicDir, file))) unreadable.push(file);
        continue;
      }
      held.push(file);
      fileDigests.set(file, digest);
      hash.update(file).update('\0').update(digest).update('\n');
    }
    if (held.length === 0) continue;
    const fp = base32(hash.digest());
    for (const key of group) fingerprints.set(key, fp);
    // Two groups with the same files and contents (identical files at the same path cannot be):
    // the same folder.
    folders[fp] = held;
    for (const [file, content] of contents) rewritten.set(`${fp}/${file}`, content);
    for (const [file, digest] of fileDigests) digests.set(`${fp}/${file}`, digest);
  }
  if (unreadable.length > 0) warnUnreadable(unreadable);
  return { granularity, fingerprints, folders, rewritten, digests, encoded: encodeFingerprints(fingerprints) };
}

/**
 * The strongly connected components of the graph of `nodes` (Tarjan's algorithm), each as a list
 * of nodes, in the order in which a component comes after every component it has an edge to.
 * Iterative, so that a long chain of imports cannot overflow the stack.
 */
function cycles(nodes: Map<string, unknown>, edges: (node: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of nodes.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; targets: string[]; i: number }> = [];
    const open = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...new Set(edges(node))].filter((t) => t !== node && nodes.has(t)), i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.targets.length) {
        const target = frame.targets[frame.i++]!;
        if (!index.has(target)) open(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let node: string;
        do {
          node = stack.pop()!;
          onStack.delete(node);
          component.push(node);
        } while (node !== frame.node);
        out.push(component.sort());
      }
    }
  }
  return out;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** The first FINGERPRINT_LENGTH × 5 bits of `bytes`, in lowercase base32. */
function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < FINGERPRINT_LENGTH) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === FINGERPRINT_LENGTH) break;
  }
  return out;
}

/** A relative reference in a file of public/ to another: where it is written, and what it names. */
export interface Reference {
  /** The file it names, relative to public/. */
  target: string;
  /** Where the path of the URL starts and ends in the file's text (the query and fragment stay). */
  start: number;
  end: number;
}

// url(…) in any of its three quotings, and @import "…" (the url() form is caught by the first).
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^'")\s]*))\s*\)/dg;
const CSS_IMPORT = /@import\s+(?:"([^"]*)"|'([^']*)')/dg;
// Static and dynamic imports, re-exports, and new URL('./x', import.meta.url), with a relative
// specifier (a bare one is a package, which the browser cannot load from public/ anyway).
const JS_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)(?:"(\.{1,2}\/[^"]*)"|'(\.{1,2}\/[^']*)')/dg;
const JS_URL = /\bnew\s+URL\(\s*(?:"([^"]*)"|'([^']*)')\s*,\s*import\.meta\.url/dg;

// The source map a stylesheet or script names in its last comment, for the browser's dev tools.
const SOURCE_MAP = /[#@]\s*sourceMappingURL=([^\s'"*]+)/dg;
// src and href attributes of an HTML page or an SVG image (an <iframe> page, an SVG sprite).
const ATTRIBUTE = /\s(?:src|href|xlink:href)\s*=\s*(?:"([^"]*)"|'([^']*)')/dg;

/** Which files are read for references, and how. */
function patternsFor(file: string): RegExp[] {
  switch (path.extname(file).toLowerCase()) {
    case '.css':
      return [CSS_URL, CSS_IMPORT, SOURCE_MAP];
    case '.js':
    case '.mjs':
      return [JS_IMPORT, JS_URL, SOURCE_MAP];
    case '.html':
    case '.htm':
    case '.svg':
      return [ATTRIBUTE, CSS_URL];
    default:
      return [];
  }
}

/**
 * The references of `file` to files of `known` by a relative URL: a stylesheet's url() and
 * @import, a module's import, export … from and new URL(…, import.meta.url), a source map comment,
 * and the src and href attributes (and inline url()) of an HTML page or SVG image. Root-absolute
 * references are not followed (the build warns about them in stylesheets: they escape busting).
 */
export function references(publicDir: string, file: string, known: Set<string>): Reference[] {
  const patterns = patternsFor(file);
  if (patterns.length === 0) return [];
  let text: string;
  try {
    text = readFileSync(path.join(publicDir, file), 'latin1');
  } catch {
    return [];
  }
  const found: Reference[] = [];
  const base = path.posix.dirname(file);
  // An import written inside a string or a comment is text, not an import: it stays as written.
  const quoted = patterns.includes(JS_IMPORT) ? quotedOrComment(text) : undefined;
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      if (quoted && pattern !== SOURCE_MAP && quoted[match.index] === 1) continue;
      const group = match[1] !== undefined ? 1 : match[2] !== undefined ? 2 : 3;
      const url = match[group] ?? '';
      const pathname = url.split(/[?#]/, 1)[0]!;
      const target = resolveRelative(base, Buffer.from(pathname, 'latin1').toString('utf8'));
      if (target === undefined || target === file || !known.has(target)) continue;
      const start = match.indices![group]![0];
      found.push({ target, start, end: start + pathname.length });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * For JavaScript: 1 at each offset of `text` that lies inside a string, the text of a template
 * literal or a comment, where no import or `new URL` can start. Regular expression literals are
 * read as code: one that holds a quote could hide an import after it (a reference left plain, the
 * right file, revalidated), never make text into one.
 */
function quotedOrComment(text: string): Uint8Array {
  const mask = new Uint8Array(text.length);
  const n = text.length;
  // For each open `${` of a template literal, the brace depth at which its `}` closes it.
  const open: number[] = [];
  let depth = 0;
  // The text of a template literal from `from` (after its backtick or `}`) to its end or next `${`.
  const template = (from: number): number => {
    for (let j = from; j < n; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === '`') {
        mask.fill(1, from - 1, j + 1);
        return j + 1;
      } else if (text[j] === '$' && text[j + 1] === '{') {
        mask.fill(1, from - 1, j);
        open.push(depth);
        return j + 2;
      }
    }
    mask.fill(1, from - 1, n);
    return n;
  };
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      mask.fill(1, i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      mask.fill(1, i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      mask.fill(1, i, j + 1);
      i = j + 1;
    } else if (c === '`') {
      i = template(i + 1);
    } else if (c === '}' && open.length > 0 && open[open.length - 1] === depth) {
      open.pop();
      i = template(i + 1);
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      i++;
    }
  }
  return mask;
}

/**
 * The bytes of `file` with each of `refs` replaced by the relative URL of its target's busted
 * path: from /<ns>/<fp>/css/site.css, `../../<fp of bg.png>/img/bg.png`.
 */
function rewrite(publicDir: string, file: string, refs: Reference[], fingerprintOf: (target: string) => string): Buffer | undefined {
  // latin1 maps bytes to characters one to one, so offsets are byte offsets and other bytes survive.
  let text: string;
  try {
    text = readFileSync(path.join(publicDir, file), 'latin1');
  } catch {
    return undefined; // gone or unreadable since references() read it
  }
  const up = '../'.repeat(file.split('/').length);
  let out = '';
  let at = 0;
  for (const ref of refs) {
    const url = up + fingerprintOf(ref.target) + '/' + ref.target.split('/').map(encodeURIComponent).join('/');
    out += text.slice(at, ref.start) + url;
    at = ref.end;
  }
  return Buffer.from(out + text.slice(at), 'latin1');
}

/** `url` resolved against the folder `base` of public/, when it is a relative URL of a file there. */
function resolveRelative(base: string, url: string): string | undefined {
  // Not a scheme (data:, https:), not root-absolute or protocol-relative, not a fragment.
  if (url === '' || /^(?:[a-z][a-z0-9+.-]*:|\/|#)/i.test(url)) return undefined;
  let pathname = url;
  try {
    pathname = decodeURIComponent(url);
  } catch {
    // Left as written.
  }
  const joined = path.posix.normalize(path.posix.join(base, pathname));
  return joined.startsWith('../') || joined === '..' ? undefined : joined;
}
