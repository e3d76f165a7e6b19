// The references of a stylesheet, module, page or web app manifest of public/ to other files of
// public/ (url(), @import, import, new URL(…, import.meta.url), src and href, a manifest's icons),
// relative or root-absolute, found where they are written, and the copy of such a file with each
// reference rewritten to the other file's busted URL.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A reference in a file of public/ to another: where it is written, and what it names. */
export interface Reference {
  /** The file it names, relative to public/. */
  target: string;
  /** Written from the root (`/img/bg.png`), not relative to the file (`../img/bg.png`). */
  absolute: boolean;
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
// Every `src` member of a web app manifest names an image: icons, screenshots, shortcuts' icons.
// One written with JSON escapes (`\/`) is left as written: plain, the right file.
const MANIFEST_SRC = /"src"\s*:\s*"([^"\\]*)"/dg;

/** Which files are read for references, and how. */
function patternsFor(file: string): RegExp[] {
  const name = path.posix.basename(file).toLowerCase();
  if (name === 'manifest.json') return [MANIFEST_SRC];
  switch (path.extname(name)) {
    case '.webmanifest':
      return [MANIFEST_SRC];
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
 * The references of `file` to files of `known`: a stylesheet's url() and @import, a module's import,
 * export … from and new URL(…, import.meta.url), a source map comment, the src and href attributes
 * (and inline url()) of an HTML page or SVG image, and the `src` of a web app manifest's images
 * (`*.webmanifest`, `manifest.json`). A URL is relative to the file, or root-absolute: with a
 * `basePath`, only a URL under it names a file of public/ (`/docs/img/bg.png` with `/docs`), as
 * the browser resolves it.
 */
export function references(publicDir: string, file: string, known: Set<string>, basePath = ''): Reference[] {
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
      const target = resolveUrl(base, Buffer.from(pathname, 'latin1').toString('utf8'), basePath);
      if (target === undefined || target === file || !known.has(target)) continue;
      const start = match.indices![group]![0];
      found.push({ target, absolute: pathname.startsWith('/'), start, end: start + pathname.length });
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
 * path: from /<ns>/<fp>/css/site.css, `../../<fp of bg.png>/img/bg.png`. A target with no
 * fingerprint of its own (one of the same folder of copies, in a cycle) gets the plain relative
 * URL, `../img/bg.png`: a root-absolute one would leave the folder.
 */
export function rewrite(
  publicDir: string,
  file: string,
  refs: Reference[],
  fingerprintOf: (target: string) => string | undefined,
): Buffer | undefined {
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
  const encode = (rel: string) => rel.split('/').map(encodeURIComponent).join('/');
  for (const ref of refs) {
    const fingerprint = fingerprintOf(ref.target);
    const url = fingerprint
      ? up + fingerprint + '/' + encode(ref.target)
      : encode(path.posix.relative(path.posix.dirname(file), ref.target));
    out += text.slice(at, ref.start) + url;
    at = ref.end;
  }
  return Buffer.from(out + text.slice(at), 'latin1');
}

/**
 * `url` resolved against the folder `base` of public/, when it names a file there: relative, or
 * root-absolute (under `basePath`, when there is one).
 */
function resolveUrl(base: string, url: string, basePath: string): string | undefined {
  // Not a scheme (data:, https:), not protocol-relative (`//`, and `/\` as browsers read it), not
  // a fragment.
  if (url === '' || /^(?:[a-z][a-z0-9+.-]*:|[/\\][/\\]|\\|#)/i.test(url)) return undefined;
  let pathname = url;
  if (url.startsWith('/')) {
    if (basePath && !url.startsWith(basePath + '/')) return undefined;
    pathname = url.slice(basePath.length + 1);
    base = '';
  }
  try {
    pathname = decodeURIComponent(pathname);
  } catch {
    // Left as written.
  }
  const joined = path.posix.normalize(path.posix.join(base, pathname));
  return joined.startsWith('../') || joined === '..' || joined.startsWith('/') ? undefined : joined;
}
