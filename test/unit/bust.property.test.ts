import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bust } from '../../src/index.js';

// Under StrykerJS (npm run test:mutation) each mutant gets fewer runs.
const RUNS = { numRuns: process.env.NSB_MUTATION ? 300 : 2000 };
const SITE = 'http://site.test';

// The settings bust() can run with: dev (nothing), a plain build, builds with a basePath, and builds
// served from the static folder (/_next/static/media/_bust/…).
const SETUPS = [
  { name: 'no token, no basePath', token: '', basePath: '', serving: '', prefix: '/_bust/' },
  { name: 'no token, basePath /docs', token: '', basePath: '/docs', serving: '', prefix: '/_bust/' },
  { name: 'token, no basePath', token: 'k3Y_9-z', basePath: '', serving: 'links', prefix: '/_bust/' },
  { name: 'token, basePath /docs', token: 'k3Y_9-z', basePath: '/docs', serving: 'links', prefix: '/_bust/' },
  { name: 'token from the static folder, basePath /docs', token: 'k3Y_9-z', basePath: '/docs', serving: 'static', prefix: '/_next/static/media/_bust/' },
] as const;

// Strings made of the characters that matter to paths, so that `..`, `%2e`, `//`, `\` and the
// query and fragment separators meet often, unlike in uniformly random strings.
const pathChars = fc.constantFrom('/', '.', '%', '2', 'e', 'E', '\\', '?', '#', 'a', 'b', 'z', '_', 'u', 's', 't');
const pathish = fc.string({ unit: pathChars, maxLength: 40 });
// Spaces and control characters too: URL parsers delete them at both ends of a URL.
const slashy = fc.string({
  unit: fc.constantFrom('/', '.', '%2e', '%2E', '\\', '\t', '\n', 'a', '_bust', 'docs', ' ', '\u0000', '\u001f'),
  maxLength: 20,
});

// Every kind of string: printable ASCII, all of ASCII (control characters too), all of Unicode.
const anyString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  pathish,
  slashy,
);

// Path-like inputs: what people pass to bust(), with and without the leading slash.
const pathLike = fc.oneof(
  fc.webPath(),
  fc.webPath().map((p) => p.replace(/^\/+/, '')),
  fc.tuple(fc.webPath(), fc.webQueryParameters(), fc.webFragments()).map(([p, q, f]) => `${p || '/'}?${q}#${f}`),
  pathish,
  slashy,
);

/** What a URL parser deletes first: spaces and control characters at both ends. */
function urlTrim(input: string): string {
  return input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
}

/** What bust() must leave alone: a scheme, or a protocol-relative start (`//`, `\\`, `/\`). */
function isExternal(input: string): boolean {
  const url = urlTrim(input);
  return /^[a-z][a-z0-9+.-]*:/i.test(url) || /^[/\\][/\\]/.test(url);
}

/** Inputs with nothing to bust: empty, only a query, or only a fragment. */
function isEmptyPath(input: string): boolean {
  const url = urlTrim(input);
  return url === '' || url.startsWith('?') || url.startsWith('#');
}

/** Registers the test only for the setups it is about. */
function itWhen(condition: boolean, name: string, fn: () => void): void {
  if (condition) it(name, fn);
}

function pathPart(url: string): string {
  return url.split(/[?#]/, 1)[0]!;
}

function suffixOf(url: string): string {
  return url.slice(pathPart(url).length);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

for (const setup of SETUPS) {
  describe(`bust() properties (${setup.name})`, () => {
    const use = () => {
      vi.stubEnv('NEXT_STATIC_BUST_TOKEN', setup.token);
      vi.stubEnv('NEXT_STATIC_BUST_NAMESPACE', '');
      vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', setup.basePath);
      vi.stubEnv('NEXT_STATIC_BUST_SERVING', setup.serving);
    };

    it('never throws on any string and always returns a string', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(anyString, fc.webUrl(), fc.webPath()), (input) => {
          expect(typeof bust(input)).toBe('string');
        }),
        RUNS,
      );
    });

    // Without a token a URL cannot be told from a path of public/ that starts with the basePath
    // (public/docs/x.css is served at /docs/docs/x.css), so only plain dev URLs without basePath
    // and busted URLs come back unchanged.
    const idempotent = setup.token !== '' || setup.basePath === '';
    itWhen(idempotent, 'is idempotent: bust(bust(x)) === bust(x)', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(pathLike, anyString), (input) => {
          const once = bust(input);
          expect(bust(once)).toBe(once);
        }),
        RUNS,
      );
    });

    itWhen(!idempotent, 'adds the basePath again on each call, since a path may start with it', () => {
      use();
      fc.assert(
        fc.property(pathLike, (input) => {
          fc.pre(!isExternal(input) && !isEmptyPath(input));
          const once = bust(input);
          // URLs in the namespace folder count as busted (by any token) and stay as they are.
          fc.pre(!once.startsWith(setup.basePath + setup.prefix));
          expect(bust(once)).toBe(setup.basePath + once);
        }),
        RUNS,
      );
    });

    it('keeps the query string and the fragment of path inputs', () => {
      use();
      fc.assert(
        fc.property(pathLike, fc.webQueryParameters(), fc.webFragments(), (path, query, fragment) => {
          const input = `${pathPart(path)}?${query}#${fragment}`;
          const output = bust(input);
          expect(suffixOf(output)).toBe(`?${query}#${fragment}`);
          expect(suffixOf(output)).toBe(suffixOf(input));
        }),
        RUNS,
      );
    });

    it('keeps whatever follows the first ? or # byte for byte', () => {
      use();
      fc.assert(
        fc.property(anyString, (input) => {
          expect(suffixOf(bust(input))).toBe(suffixOf(input));
        }),
        RUNS,
      );
    });

    it('leaves absolute, protocol-relative and other scheme URLs alone', () => {
      use();
      const external = fc.oneof(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.webUrl().map((u) => u.replace(/^https?:/, '')), // protocol-relative
        fc.tuple(fc.constantFrom('data:', 'blob:', 'mailto:', 'tel:', 'Javascript:', 'x-y.z+w:'), anyString).map(
          ([scheme, rest]) => scheme + rest,
        ),
        fc.tuple(fc.constantFrom('//', '\\\\', '/\\'), anyString).map(([start, rest]) => start + rest),
      );
      fc.assert(
        fc.property(external, (input) => {
          expect(isExternal(input)).toBe(true);
          expect(bust(input)).toBe(input);
        }),
        RUNS,
      );
    });

    it('returns empty, query-only and fragment-only inputs unchanged', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(fc.constant(''), anyString.map((s) => '?' + s), anyString.map((s) => '#' + s)), (input) => {
          expect(bust(input)).toBe(input);
        }),
        RUNS,
      );
    });

    it('starts every site URL with the basePath and a single slash', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(pathLike, anyString), (input) => {
          fc.pre(!isExternal(input) && !isEmptyPath(input));
          const output = bust(input);
          expect(output.startsWith(setup.basePath + '/')).toBe(true);
          expect(output.charAt(setup.basePath.length + 1)).not.toBe('/');
          expect(output.charAt(setup.basePath.length + 1)).not.toBe('\\');
          expect(isExternal(output)).toBe(false);
        }),
        RUNS,
      );
    });

    itWhen(setup.token !== '', 'puts every site URL in the busted folder when there is a token', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(pathLike, anyString), (input) => {
          fc.pre(!isExternal(input) && !isEmptyPath(input));
          const rest = bust(input).slice(setup.basePath.length);
          // Either busted now, or already busted (with this or an older token) before.
          expect(rest.startsWith(setup.prefix)).toBe(true);
        }),
        RUNS,
      );
    });

    it('never produces an empty segment (`//`) anywhere in the path', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(pathLike, anyString), (input) => {
          fc.pre(!isExternal(input) && !isEmptyPath(input));
          const seen = pathPart(bust(input)).replace(/[\t\n\r]/g, '').replace(/\\/g, '/');
          expect(seen).not.toContain('//');
        }),
        RUNS,
      );
    });

    it('leaves no . or .. segment in the path, even after decoding %2e, tabs and newlines', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(pathLike, anyString), (input) => {
          fc.pre(!isExternal(input) && !isEmptyPath(input));
          // What a URL parser and then a server see: tabs and newlines deleted, %2e decoded,
          // backslashes as slashes.
          const seen = pathPart(bust(input))
            .replace(/[\t\n\r]/g, '')
            .replace(/%2e/gi, '.')
            .replace(/\\/g, '/');
          for (const segment of seen.split('/')) {
            expect(segment).not.toBe('.');
            expect(segment).not.toBe('..');
          }
        }),
        RUNS,
      );
    });

    it('never leaves the site', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(pathLike, anyString), (input) => {
          fc.pre(!isExternal(input));
          const url = new URL(bust(input), SITE + '/some/page');
          expect(url.origin).toBe(SITE);
          if (!isEmptyPath(input)) expect(url.pathname.startsWith(setup.basePath + '/')).toBe(true);
        }),
        RUNS,
      );
    });

    itWhen(setup.token !== '', 'resolves to the busted folder, never above it, when there is a token', () => {
      use();
      fc.assert(
        fc.property(fc.oneof(pathLike, anyString), (input) => {
          fc.pre(!isExternal(input) && !isEmptyPath(input));
          const output = bust(input);
          const folder = `${setup.basePath}${setup.prefix}`;
          fc.pre(!output.startsWith(folder) || output.startsWith(`${folder}${setup.token}/`));
          // Inputs already busted with another token keep theirs; all others land in this one.
          const { pathname } = new URL(output, SITE);
          expect(pathname.startsWith(`${folder}${setup.token}/`)).toBe(true);
        }),
        RUNS,
      );
    });

    it('gives the same URL for a path with and without its leading slash', () => {
      use();
      fc.assert(
        fc.property(fc.webPath(), (path) => {
          const relative = path.replace(/^\/+/, '');
          fc.pre(relative !== '' && !isExternal(relative) && !isEmptyPath(relative));
          expect(bust(relative)).toBe(bust('/' + relative));
        }),
        RUNS,
      );
    });
  });
}
