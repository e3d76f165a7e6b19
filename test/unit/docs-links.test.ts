// The README is the short path and docs/ holds the depth, linked both ways: every relative link of
// README.md and docs/*.md must name a file or folder of the repository, and every #anchor a heading
// of the file it points into, as GitHub renders it. A section moved between files breaks no link.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const DOCS = path.join(ROOT, 'docs');
const FILES = ['README.md', ...readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];

/** The text of a markdown file with its fenced code blocks blanked (line numbers kept). */
function withoutFences(text: string): string {
  let fence: string | undefined;
  return text
    .split('\n')
    .map((line) => {
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === undefined) {
        if (marker === undefined) return line;
        fence = marker;
        return '';
      }
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      return '';
    })
    .join('\n');
}

/** Code spans replaced by their content's length in `x`, so that nothing inside them reads as a link. */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)(?!`)((?:(?!\n[ \t]*\n)[\s\S])*?[^`])\1(?!`)/g, (span) => 'x'.repeat(span.length));
}

/** GitHub's anchor for a heading's text (github-slugger): lower case, punctuation out, spaces to hyphens. */
function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image shows its text
    .replace(/[`*]/g, ''); // code and emphasis marks
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a file's headings, duplicates numbered -1, -2, … as on GitHub. */
function anchors(text: string): string[] {
  const seen = new Map<string, number>();
  const result: string[] = [];
  for (const line of withoutFences(text).split('\n')) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    let anchor = base;
    while (seen.has(anchor)) {
      const n = seen.get(base)! + 1;
      seen.set(base, n);
      anchor = `${base}-${n}`;
    }
    seen.set(anchor, 0);
    result.push(anchor);
  }
  return result;
}

interface Link {
  line: number;
  target: string;
}

/** The `[text](target)` links of a markdown file, outside code blocks and code spans. */
function links(text: string): Link[] {
  const prose = withoutCodeSpans(withoutFences(text));
  const found: Link[] = [];
  const pattern = /\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
  for (const match of prose.matchAll(pattern)) {
    const target = match[1]!.replace(/^<|>$/g, '');
    found.push({ line: prose.slice(0, match.index).split('\n').length, target });
  }
  return found;
}

/** What is wrong with the links of `file` (relative to the repository), one line each. */
function brokenLinks(file: string, text = readFileSync(path.join(ROOT, file), 'utf8')): string[] {
  const broken: string[] = [];
  for (const { line, target } of links(text)) {
    if (/^(?:https?:|mailto:)/i.test(target)) continue;
    const where = `${file}:${line} (${target})`;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = pathPart === ''
      ? path.join(ROOT, file)
      : path.resolve(pathPart.startsWith('/') ? ROOT : path.dirname(path.join(ROOT, file)), pathPart.replace(/^\/+/, ''));
    if (path.relative(ROOT, resolved).startsWith('..')) {
      broken.push(`${where}: leaves the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      broken.push(`${where}: no such file or folder`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith('.md') || !statSync(resolved).isFile()) continue;
    const targetText = pathPart === '' ? text : readFileSync(resolved, 'utf8');
    if (!anchors(targetText).includes(anchor)) broken.push(`${where}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`);
  }
  return broken;
}

describe('the checker itself', () => {
  it("makes GitHub's anchors, with -1, -2 for duplicate headings and nothing from code blocks", () => {
    const text = [
      '# next-static-bust',
      '### `withStaticBust(nextConfig?, options?)`',
      '### `<BustedAsset>`',
      '### 4. Per-file fingerprints',
      '## Cloudflare Workers (OpenNext)',
      '### Server code: route handlers, metadata',
      '## What `npm run test:platforms` installs',
      '## FAQ',
      '```sh',
      '# not a heading',
      '```',
      '## FAQ',
      '## FAQ',
      '## FAQ-1',
    ].join('\n');
    expect(anchors(text)).toEqual([
      'next-static-bust',
      'withstaticbustnextconfig-options',
      'bustedasset',
      '4-per-file-fingerprints',
      'cloudflare-workers-opennext',
      'server-code-route-handlers-metadata',
      'what-npm-run-testplatforms-installs',
      'faq',
      'faq-1',
      'faq-2',
      'faq-1-1',
    ]);
  });

  it('reports a missing file, a missing heading, in this file and in another, and skips code and web links', () => {
    const text = [
      '# Title',
      'See [the API](docs/api.md), [a test](test/unit/docs-links.test.ts), [a folder](test/unit/),',
      '[`<BustedAsset>`](docs/api.md#bustedasset), [up](#title) and [the web](https://example.com/#x).',
      '[gone](docs/nope.md), [no heading](#nope), [nor there](docs/api.md#nope), [out](../elsewhere.md)',
      '`[in a code span](nope.md)`',
      '```md',
      '[in a code block](nope.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('README.md', text)).toEqual([
      'README.md:4 (docs/nope.md): no such file or folder',
      'README.md:4 (#nope): no heading #nope in README.md',
      'README.md:4 (docs/api.md#nope): no heading #nope in docs/api.md',
      'README.md:4 (../elsewhere.md): leaves the repository',
    ]);
  });
});

describe('README.md and docs/*.md', () => {
  it('README.md stays the short path: under 22,000 bytes', () => {
    expect(statSync(path.join(ROOT, 'README.md')).size).toBeLessThan(22_000);
  });

  it('docs/ holds the depth the README links to', () => {
    expect(FILES).toEqual(expect.arrayContaining(['docs/deploying.md', 'docs/how-it-works.md', 'docs/guarantees.md', 'docs/faq.md', 'docs/benchmarks.md']));
  });

  it.each(FILES)('%s: every relative link names a file or folder, every #anchor a heading', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});
