import { afterEach, describe, expect, it, vi } from 'vitest';
import { bust } from '../../src/index.js';

// bust() reads its settings from process.env on every call, as Next.js inlines them at build time.
function settings({ token = '', namespace = '', basePath = '' } = {}) {
  vi.stubEnv('NEXT_STATIC_BUST_TOKEN', token);
  vi.stubEnv('NEXT_STATIC_BUST_NAMESPACE', namespace);
  vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', basePath);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('bust() without a token', () => {
  it('returns the plain path when no token was injected', () => {
    settings();
    expect(bust('/css/site.css')).toBe('/css/site.css');
  });

  it('returns the plain path when the settings are not in process.env at all', () => {
    vi.stubEnv('NEXT_STATIC_BUST_TOKEN', undefined);
    vi.stubEnv('NEXT_STATIC_BUST_NAMESPACE', undefined);
    vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', undefined);
    expect(bust('/css/site.css')).toBe('/css/site.css');
  });

  it('puts the basePath in front of the plain path', () => {
    settings({ basePath: '/docs' });
    expect(bust('/css/site.css')).toBe('/docs/css/site.css');
  });
});

describe('bust() with a token', () => {
  it('puts the file under /_bust/<token>/', () => {
    settings({ token: 'abc123' });
    expect(bust('/css/site.css')).toBe('/_bust/abc123/css/site.css');
  });

  it('puts the basePath in front of the busted folder', () => {
    settings({ token: 'abc123', basePath: '/docs' });
    expect(bust('/css/site.css')).toBe('/docs/_bust/abc123/css/site.css');
  });

  it('uses a custom namespace instead of _bust', () => {
    settings({ token: 'abc123', namespace: 'static-v' });
    expect(bust('/css/site.css')).toBe('/static-v/abc123/css/site.css');
  });

  it('uses a custom namespace together with the basePath', () => {
    settings({ token: 'abc123', namespace: 'static-v', basePath: '/docs' });
    expect(bust('/img/a.png')).toBe('/docs/static-v/abc123/img/a.png');
  });

  it('treats css/site.css and /css/site.css as the same file', () => {
    settings({ token: 'abc123' });
    expect(bust('css/site.css')).toBe('/_bust/abc123/css/site.css');
    expect(bust('css/site.css')).toBe(bust('/css/site.css'));
  });

  it('treats a relative path as rooted in public/ with a basePath too', () => {
    settings({ token: 'abc123', basePath: '/docs' });
    expect(bust('css/site.css')).toBe('/docs/_bust/abc123/css/site.css');
  });

  it('does not strip a folder that merely has the name of the basePath', () => {
    // public/docs/x.css is served at /docs/docs/x.css.
    settings({ token: 'abc123', basePath: '/docs' });
    expect(bust('/docs/x.css')).toBe('/docs/_bust/abc123/docs/x.css');
  });

  it('keeps a trailing slash', () => {
    settings({ token: 't' });
    expect(bust('/dir/')).toBe('/_bust/t/dir/');
  });

  it('busts the root path', () => {
    settings({ token: 't' });
    expect(bust('/')).toBe('/_bust/t/');
  });
});

describe('bust() keeps query strings and fragments', () => {
  it('keeps the query string and the fragment', () => {
    settings({ token: 'abc123' });
    expect(bust('/a.css?v=1#x')).toBe('/_bust/abc123/a.css?v=1#x');
  });

  it('keeps the query string and the fragment with a basePath and no token', () => {
    settings({ basePath: '/docs' });
    expect(bust('/a.css?v=1#x')).toBe('/docs/a.css?v=1#x');
  });

  it('keeps a fragment that contains a question mark', () => {
    settings({ token: 't' });
    expect(bust('/icons.svg#a?b')).toBe('/_bust/t/icons.svg#a?b');
  });

  it('does not normalize dots, slashes or backslashes in the query and fragment', () => {
    settings({ token: 't' });
    expect(bust('/a.css?next=/../x//y\\z#../../w')).toBe('/_bust/t/a.css?next=/../x//y\\z#../../w');
  });

  it('returns a query-only input unchanged', () => {
    settings({ token: 't', basePath: '/docs' });
    expect(bust('?v=1')).toBe('?v=1');
  });

  it('returns a fragment-only input unchanged', () => {
    settings({ token: 't', basePath: '/docs' });
    expect(bust('#top')).toBe('#top');
  });
});

describe('bust() leaves URLs that are not files of ours alone', () => {
  const external = [
    'https://cdn.example.com/a.css',
    'HTTP://cdn.example.com/a.css',
    '//cdn.example.com/a.css',
    '\\\\cdn.example.com/a.css',
    '/\\cdn.example.com/a.css',
    'data:image/png;base64,iVBORw0KGgo=',
    'blob:https://site.test/0f8e5c3e-1b2a-4c5d-8e9f-000000000000',
    'mailto:someone@example.com',
    'tel:+123456789',
    'git+ssh://host/x',
    '///cdn.example.com/a.css',
  ];

  for (const url of external) {
    it(`returns ${JSON.stringify(url)} unchanged, with a token and a basePath`, () => {
      settings({ token: 'abc123', basePath: '/docs' });
      expect(bust(url)).toBe(url);
    });
  }

  it('returns the empty string unchanged', () => {
    settings({ token: 'abc123', basePath: '/docs' });
    expect(bust('')).toBe('');
  });
});

describe('bust() does not bust a URL twice', () => {
  it('returns an already-busted URL unchanged', () => {
    settings({ token: 'abc123' });
    const once = bust('/css/site.css');
    expect(bust(once)).toBe(once);
    expect(bust('/_bust/abc123/css/site.css')).toBe('/_bust/abc123/css/site.css');
  });

  it('returns an already-busted URL with the basePath unchanged', () => {
    settings({ token: 'abc123', basePath: '/docs' });
    const once = bust('/css/site.css?v=1#x');
    expect(once).toBe('/docs/_bust/abc123/css/site.css?v=1#x');
    expect(bust(once)).toBe(once);
  });

  it('adds only the basePath to a busted URL written without it', () => {
    settings({ token: 'abc123', basePath: '/docs' });
    expect(bust('/_bust/abc123/css/site.css')).toBe('/docs/_bust/abc123/css/site.css');
  });

  it('keeps a URL busted with an older token as it is', () => {
    settings({ token: 'new' });
    expect(bust('/_bust/old/css/site.css')).toBe('/_bust/old/css/site.css');
  });

  it('busts a file whose folder only starts with the namespace name', () => {
    settings({ token: 't' });
    expect(bust('/_busted/a.css')).toBe('/_bust/t/_busted/a.css');
    expect(bust('/_bust')).toBe('/_bust/t/_bust');
  });

  it('recognises busted URLs under a custom namespace, not under _bust', () => {
    settings({ token: 't', namespace: 'v' });
    expect(bust('/v/t/a.css')).toBe('/v/t/a.css');
    expect(bust('/_bust/t/a.css')).toBe('/v/t/_bust/t/a.css');
  });
});

describe('bust() never climbs out of the busted folder', () => {
  const cases: Array<[string, string]> = [
    ['/../../etc/passwd', '/_bust/t/etc/passwd'],
    ['../secret.txt', '/_bust/t/secret.txt'],
    ['/css/../../../a.css', '/_bust/t/a.css'],
    ['/./css/./site.css', '/_bust/t/css/site.css'],
    ['./css/site.css', '/_bust/t/css/site.css'],
    ['/%2e%2e/%2E%2E/a.css', '/_bust/t/a.css'],
    ['/%2e./.%2E/a.css', '/_bust/t/a.css'],
    ['/css/%2e/site.css', '/_bust/t/css/site.css'],
    ['/..\\..\\a.css', '/_bust/t/a.css'],
    ['\\css\\site.css', '/_bust/t/css/site.css'],
    ['/css//site.css', '/_bust/t/css/site.css'],
    ['/css///site.css/', '/_bust/t/css/site.css/'],
    ['..', '/_bust/t/'],
    ['.', '/_bust/t/'],
    ['/..', '/_bust/t/'],
    ['/../', '/_bust/t/'],
  ];

  for (const [input, expected] of cases) {
    it(`maps ${JSON.stringify(input)} inside the busted folder`, () => {
      settings({ token: 't' });
      expect(bust(input)).toBe(expected);
    });
  }

  it('keeps dot-dot paths under the basePath', () => {
    settings({ token: 't', basePath: '/docs' });
    expect(bust('/../../a.css')).toBe('/docs/_bust/t/a.css');
    expect(bust('/docs/../../a.css')).toBe('/docs/_bust/t/a.css');
  });

  it('keeps dot-dot paths under the basePath without a token', () => {
    settings({ basePath: '/docs' });
    expect(bust('/../%2e%2e/a.css')).toBe('/docs/a.css');
  });

  it('never starts a plain URL with // (which would be another host)', () => {
    settings();
    expect(bust('/.//evil.example/x.js')).toBe('/evil.example/x.js');
    expect(bust('/..//evil.example/x.js')).toBe('/evil.example/x.js');
    expect(bust('.//evil.example/x.js')).toBe('/evil.example/x.js');
  });

  it('drops tabs and newlines, which URL parsers delete, before looking at slashes and dots', () => {
    settings();
    // Without this, "/\t/evil.example" is loaded from //evil.example.
    expect(bust('/\t/evil.example/x.js')).toBe('/evil.example/x.js');
    // A URL that starts with a newline and // is another host's already, as for a browser: unchanged.
    expect(bust('\n//evil.example/x.js')).toBe('\n//evil.example/x.js');
    expect(new URL(bust('/\r/evil.example/x.js'), 'http://site.test').origin).toBe('http://site.test');
    settings({ token: 't' });
    expect(bust('/.\t./.\n./a.css')).toBe('/_bust/t/a.css');
  });

  it('reads spaces and control characters at the ends as URL parsers do: deleted', () => {
    // `new URL('/_bust/t/..\0', base)` is /_bust/: the parser deletes U+0000 to U+0020 at both ends.
    settings({ token: 't', basePath: '/docs' });
    for (const input of ['..\u0000', '/css/.. ', '/css/..\u001f\u0000 ', '/css/.\u0000', '%2e%2e\u0000', '  ../a.css  ']) {
      const output = bust(input);
      expect(new URL(output, 'http://site.test').pathname.startsWith('/docs/_bust/t/')).toBe(true);
    }
    expect(bust('/css/site.css\u0000')).toBe('/docs/_bust/t/css/site.css');
    expect(bust(' /css/site.css ')).toBe('/docs/_bust/t/css/site.css');
    // Inside a URL a control character is percent-encoded, not deleted: a file name, kept.
    expect(bust('/css/..\u0000?v=1')).toBe('/docs/_bust/t/css/..\u0000?v=1');
    expect(new URL(bust('/css/..\u0000?v=1'), 'http://site.test').pathname).toBe('/docs/_bust/t/css/..%00');
    // As for a browser, a URL with a scheme or // after leading spaces is another origin's: unchanged.
    expect(bust(' https://cdn.example/x.css')).toBe(' https://cdn.example/x.css');
    expect(bust('\u0000//cdn.example/x.css')).toBe('\u0000//cdn.example/x.css');
    expect(bust(' \u0000')).toBe(' \u0000');
    expect(bust(' ?v=1')).toBe(' ?v=1');
  });

  it('does not treat a doubly encoded dot as a dot', () => {
    // Servers decode once: %252e is the three characters "%2e" in a file name, not a dot.
    settings({ token: 't' });
    expect(bust('/%252e%252e/a.css')).toBe('/_bust/t/%252e%252e/a.css');
  });

  it('keeps a file name that only contains dots besides other characters', () => {
    settings({ token: 't' });
    expect(bust('/...')).toBe('/_bust/t/...');
    expect(bust('/.well-known/a.txt')).toBe('/_bust/t/.well-known/a.txt');
    expect(bust('/a..b/c.')).toBe('/_bust/t/a..b/c.');
  });
});

describe('bust() rejects values that are not strings', () => {
  const values: Array<[unknown, string]> = [
    [42, 'number'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{ path: '/a.css' }, 'object'],
    [['/a.css'], 'array'],
  ];

  for (const [value, kind] of values) {
    it(`throws a TypeError naming \`${kind}\` for ${kind === 'array' ? 'an array' : String(kind)}`, () => {
      settings({ token: 't' });
      const call = () => bust(value as string);
      expect(call).toThrow(TypeError);
      expect(call).toThrow(`Expected \`path\` to be a string, got \`${kind}\``);
      expect(call).toThrow(/^\[next-static-bust\] /);
    });
  }

  it('throws without a token too', () => {
    settings();
    expect(() => bust(42 as unknown as string)).toThrow('Expected `path` to be a string, got `number`');
  });
});

describe('bust() with an asset host', () => {
  it('puts busted URLs on the asset host, with basePath, and leaves them alone when busted again', () => {
    settings({ token: 'abc123', basePath: '/docs' });
    vi.stubEnv('NEXT_STATIC_BUST_ASSET_HOST', 'https://cdn.example.com');
    const url = bust('/css/site.css?v=1');
    expect(url).toBe('https://cdn.example.com/docs/_bust/abc123/css/site.css?v=1');
    expect(bust(url)).toBe(url);
  });

  it('keeps plain URLs on the app when there is no token (next dev)', () => {
    settings();
    vi.stubEnv('NEXT_STATIC_BUST_ASSET_HOST', 'https://cdn.example.com');
    expect(bust('/css/site.css')).toBe('/css/site.css');
  });
});
