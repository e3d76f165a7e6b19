// bustRoutes(), redirectsUnknown() and withBeforeFiles() (src/plugin/bust-routes.ts) called directly:
// the whole of each route list, and every rule within the length Next.js accepts, checked with the
// parser and matcher Next.js itself uses.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { bustRoutes, IMMUTABLE, redirectsUnknown, withBeforeFiles } from '../../src/plugin/bust-routes.js';

const require = createRequire(import.meta.url);
// Fails, never skips, when Next.js moves these.
const { tryToParsePath } = require('next/dist/lib/try-to-parse-path') as {
  tryToParsePath: (source: string) => { regexStr?: string; error?: boolean };
};
const { getPathMatch } = require('next/dist/shared/lib/router/utils/path-match') as {
  getPathMatch: (path: string, options: object) => (pathname: string) => false | Record<string, string | string[]>;
};
const matcher = (source: string) => getPathMatch(source, { strict: true, removeUnnamedParams: true });

const CACHE = [{ key: 'Cache-Control', value: IMMUTABLE }];

describe('bustRoutes()', () => {
  it('for token folders: the immutable header on the served tokens, redirects for left-out tokens and unknown ones, the bookkeeping hidden', () => {
    const routes = bustRoutes({
      namespace: '_bust',
      serving: 'links',
      current: 'new',
      served: ['old', 'new'],
      entries: { folders: ['css', 'img.v2'], files: ['robots.txt'] },
    });
    expect(routes).toEqual({
      headers: [{ source: '/_bust/:token(old|new)/:path+', headers: CACHE }],
      redirects: [
        { source: '/_bust/:entry(css|img\\.v2)/:path+', destination: '/_bust/new/:entry/:path+', permanent: false },
        { source: '/_bust/:entry(robots\\.txt)', destination: '/_bust/new/:entry', permanent: false },
        {
          source: '/_bust/:token((?!(?:old|new)(?![A-Za-z0-9_-]))[A-Za-z0-9_-]{1,64})/:path+',
          destination: '/_bust/new/:path+',
          permanent: false,
        },
      ],
      rewrites: [
        { source: '/_bust/.next-static-bust.json', destination: '/_bust/new/.next-static-bust.json' },
        { source: '/_bust/:dot(%2[eE].*)', destination: '/_bust/new/.next-static-bust.json' },
      ],
    });
  });

  it('for per-file fingerprints (no current token): a left-out or unknown fingerprint goes to the plain file', () => {
    const { redirects } = bustRoutes({
      namespace: 'static-v',
      serving: 'links',
      current: '',
      served: ['aaaaaaaa'],
      entries: { folders: ['css'], files: ['a.txt'] },
    });
    expect(redirects.map((r) => r.destination)).toEqual(['/:entry/:path+', '/:entry', '/:path+']);
  });

  it('adds no entry redirect without entries, or for an entry that is also a served token', () => {
    const none = bustRoutes({ namespace: '_bust', serving: 'links', current: 't1', served: ['t1'], entries: { folders: [], files: [] } });
    expect(none.redirects.map((r) => r.source)).toEqual([expect.stringContaining(':token(')]);
    const shared = bustRoutes({ namespace: '_bust', serving: 'links', current: 't1', served: ['t1', 'css'], entries: { folders: ['css', 'js'], files: ['t1'] } });
    expect(shared.redirects.map((r) => r.source)).toEqual(['/_bust/:entry(js)/:path+', expect.stringContaining(':token(')]);
  });

  it('adds no route when the build serves from its static folder', () => {
    expect(bustRoutes({ namespace: '_bust', serving: 'static', current: 't', served: ['t'], entries: { folders: ['css'], files: ['a'] } })).toEqual({
      headers: [],
      redirects: [],
      rewrites: [],
    });
  });

  it('escapes names: an entry matches itself only, and a name with ( or + still parses', () => {
    const { redirects } = bustRoutes({
      namespace: '_bust',
      serving: 'links',
      current: 't',
      served: ['t'],
      entries: { folders: ['a.b', 'c(d)', 'e+f'], files: [] },
    });
    const folder = matcher(redirects[0]!.source);
    expect(tryToParsePath(redirects[0]!.source).error).toBeFalsy();
    for (const name of ['a.b', 'c(d)', 'e+f']) expect(folder(`/_bust/${name}/x.css`), name).toMatchObject({ entry: name });
    for (const name of ['aXb', 'cd', 'eef', 'a.bc']) expect(folder(`/_bust/${name}/x.css`), name).toBe(false);
  });

  it('keeps every rule within the length Next.js accepts, many kept tokens and top-level entries split over rules that cover each once', () => {
    // 300 top-level files and 400 folders (a site of icons and pages), 400 kept tokens of 16 characters.
    const files = Array.from({ length: 300 }, (_, i) => `icon-${i}-128x128.png`);
    const folders = Array.from({ length: 400 }, (_, i) => `section-${i}`);
    const served = Array.from({ length: 400 }, (_, i) => i.toString(16).padStart(16, '0'));
    const routes = bustRoutes({ namespace: '_bust', serving: 'links', current: served.at(-1)!, served, entries: { files, folders } });
    const rules = [...routes.headers, ...routes.redirects, ...routes.rewrites];
    for (const rule of rules) {
      const parsed = tryToParsePath(rule.source);
      expect(parsed.error, rule.source.slice(0, 60)).toBeFalsy();
      expect(parsed.regexStr!.length, rule.source.slice(0, 60)).toBeLessThanOrEqual(4096);
    }
    expect(routes.headers.length).toBeGreaterThan(1);
    const covered = (sources: string[], param: string, path: (name: string) => string, names: string[]) => {
      const matchers = sources.map(matcher);
      for (const name of names) {
        const hits = matchers.filter((match) => {
          const found = match(path(name));
          return found && found[param] === name;
        });
        expect(hits.length, name).toBe(1);
      }
    };
    covered(routes.headers.map((h) => h.source), 'token', (t) => `/_bust/${t}/css/a.css`, served);
    const folderRules = routes.redirects.filter((r) => r.source.endsWith(')/:path+') && r.source.includes(':entry('));
    const fileRules = routes.redirects.filter((r) => r.source.endsWith(')') && r.source.includes(':entry('));
    expect(folderRules.length).toBeGreaterThan(1);
    expect(fileRules.length).toBeGreaterThan(1);
    covered(folderRules.map((r) => r.source), 'entry', (name) => `/_bust/${name}/x.css`, folders);
    covered(fileRules.map((r) => r.source), 'entry', (name) => `/_bust/${name}`, files);
    // 400 tokens do not fit in one lookahead: an unknown token is not redirected (it answers 404).
    expect(routes.redirects.some((r) => r.source.includes(':token('))).toBe(false);
  });
});

describe('redirectsUnknown()', () => {
  it('holds while the served tokens fit in one rule (3700 characters of alternatives), and no longer', () => {
    const tokens = (length: number) => {
      const list = Array.from({ length: Math.floor(length / 65) }, () => 'a'.repeat(64));
      const used = list.join('|').length;
      if (used < length) list.push('b'.repeat(length - used - 1));
      return list;
    };
    expect(tokens(3700).join('|')).toHaveLength(3700);
    expect(redirectsUnknown(tokens(3700))).toBe(true);
    expect(redirectsUnknown(tokens(3701))).toBe(false);
  });
});

describe('withBeforeFiles()', () => {
  const ours = [{ source: '/_bust/x', destination: '/_bust/t/x' }];

  it('puts ours alone in beforeFiles when the user has no rewrites', async () => {
    expect(await withBeforeFiles(undefined, ours)()).toEqual({ beforeFiles: ours, afterFiles: [], fallback: [] });
  });

  it("keeps the user's array as afterFiles, as Next.js reads an array", async () => {
    const theirs = [{ source: '/a', destination: '/b' }];
    expect(await withBeforeFiles(async () => theirs, ours)()).toEqual({ beforeFiles: ours, afterFiles: theirs, fallback: [] });
  });

  it("puts ours before the user's beforeFiles and keeps their other lists as they are", async () => {
    const theirs = {
      beforeFiles: [{ source: '/c', destination: '/d' }],
      afterFiles: [{ source: '/e', destination: '/f' }],
      fallback: [{ source: '/g', destination: '/h' }],
    };
    expect(await withBeforeFiles(async () => theirs, ours)()).toEqual({ ...theirs, beforeFiles: [...ours, ...theirs.beforeFiles] });
    const noBefore = { afterFiles: theirs.afterFiles, fallback: [] };
    expect(await withBeforeFiles(async () => noBefore, ours)()).toEqual({ beforeFiles: ours, afterFiles: theirs.afterFiles, fallback: [] });
  });
});
