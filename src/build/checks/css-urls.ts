import { readFileSync } from 'node:fs';
import path from 'node:path';

// A stylesheet in public/ is busted with everything it refers to by a relative url(): under
// /_bust/<token>/css/site.css, url(../img/bg.png) resolves to /_bust/<token>/img/bg.png. A
// root-absolute url(/img/bg.png) leaves the token behind: the image is revalidated on every visit,
// and a change to it gives the stylesheet no new URL.

export interface RootAbsoluteUrl {
  /** The stylesheet, relative to public/: `css/site.css`. */
  stylesheet: string;
  /** The reference as written: `/img/bg.png`. */
  url: string;
  /** The same reference made relative to the stylesheet: `../img/bg.png`. */
  relative: string;
}

// url( "…" ), url('…') or url(…) whose target starts with one slash (not // or a scheme).
const ROOT_URL = /url\(\s*(['"]?)(\/(?!\/)[^'")\s]*)\1\s*\)/g;
const IMPORT = /@import\s+(['"])(\/(?!\/)[^'"\s]*)\1/g;

/** Root-absolute references in the stylesheets among `files` of `publicDir`. */
export function findRootAbsoluteUrls(publicDir: string, files: string[]): RootAbsoluteUrl[] {
  const found: RootAbsoluteUrl[] = [];
  for (const stylesheet of files.filter((f) => f.endsWith('.css')).sort()) {
    let text: string;
    try {
      text = readFileSync(path.join(publicDir, stylesheet), 'utf8');
    } catch {
      continue; // gone since the listing
    }
    for (const match of [...text.matchAll(ROOT_URL), ...text.matchAll(IMPORT)]) {
      const url = match[2]!;
      const relative = path.posix.relative(path.posix.dirname('/' + stylesheet), url.split(/[?#]/, 1)[0]!);
      found.push({ stylesheet, url, relative: relative + url.slice(url.split(/[?#]/, 1)[0]!.length) });
    }
  }
  return found;
}
