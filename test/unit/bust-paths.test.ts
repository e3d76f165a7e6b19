// bust() on paths whose busted URL would name another file than the one asked for: a folder that
// looks like the basePath once cut at its length, backslashes without a dot segment, and %2e%2e
// after a folder (docs/mutation-testing.md, "Third run"); spaces inside a path that ends in one; and
// publicPathOf(), which integrity() reads a path with, on the same kinds of input ("Fifth run").
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bust } from '../../src/index.js';
import { publicPathOf } from '../../src/runtime/bust.js';

function settings({ token = '', basePath = '', assetHost = '' } = {}) {
  vi.stubEnv('NEXT_STATIC_BUST_TOKEN', token);
  vi.stubEnv('NEXT_STATIC_BUST_NAMESPACE', '');
  vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', basePath);
  vi.stubEnv('NEXT_STATIC_BUST_FILES', '');
  vi.stubEnv('NEXT_STATIC_BUST_SERVING', '');
  vi.stubEnv('NEXT_STATIC_BUST_ASSET_HOST', assetHost);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('bust() and the basePath', () => {
  it('busts a path whose first folder has the length of the basePath and holds a busted-looking path', () => {
    settings({ token: 'T', basePath: '/docs' });
    // '/abcd' is as long as '/docs': cut at that length, the rest looks like a busted URL.
    expect(bust('/abcd/_bust/old/x.css')).toBe('/docs/_bust/T/abcd/_bust/old/x.css');
  });

  it('busts a path that only starts with the letters of the basePath', () => {
    settings({ token: 'T', basePath: '/docs' });
    expect(bust('/docsx/_bust/old/x.css')).toBe('/docs/_bust/T/docsx/_bust/old/x.css');
  });
});

describe('bust() and backslashes', () => {
  it('reads backslashes as slashes even when no segment starts with a dot', () => {
    settings({ token: 'T' });
    expect(bust('/css\\site.css')).toBe('/_bust/T/css/site.css');
  });

  it('does not let backslashed dot-dot segments climb out of the token folder', () => {
    settings({ token: 'T' });
    // A browser reads \ as /: '/_bust/T/css\..\..\secret.txt' would load /_bust/secret.txt.
    expect(bust('/css\\..\\..\\secret.txt')).toBe('/_bust/T/secret.txt');
  });
});

describe('bust() and %2e%2e', () => {
  it('resolves %2e%2e after a folder as the server will', () => {
    settings({ token: 'T' });
    expect(bust('/css/%2e%2e/img/a.png')).toBe('/_bust/T/img/a.png');
    expect(bust('/css/.%2E/img/a.png')).toBe('/_bust/T/img/a.png');
  });
});

describe('bust() and spaces', () => {
  it('deletes the spaces at the end of a path only, never those inside it', () => {
    settings({ token: 'T' });
    expect(bust('/a b/c d.css ')).toBe('/_bust/T/a b/c d.css');
    expect(bust('/a\u0000b/c.css\u0000')).toBe('/_bust/T/a\u0000b/c.css');
  });
});

describe('publicPathOf(): the file of public/ a URL names, for integrity()', () => {
  it('reads a plain path as bust() does, and gives nothing for the root or an external URL', () => {
    settings({ token: 'T' });
    expect(publicPathOf('css/site.css?v=1#x')).toBe('/css/site.css');
    expect(publicPathOf(' /css/site.css\u0000')).toBe('/css/site.css');
    // Before a query, a space is part of the file name (a parser percent-encodes it there).
    expect(publicPathOf('/css/site.css ?v=1')).toBe('/css/site.css ');
    expect(publicPathOf('/')).toBeUndefined();
    expect(publicPathOf('/css/..')).toBeUndefined();
    expect(publicPathOf('')).toBeUndefined();
    for (const external of ['https://other.example/css/site.css', '//other.example/css/site.css', 'data:text/css,x']) {
      expect(publicPathOf(external), external).toBeUndefined();
    }
  });

  it('takes off the asset host only when it is the whole origin', () => {
    settings({ token: 'T', assetHost: 'https://cdn.example' });
    expect(publicPathOf('https://cdn.example/_bust/T/css/site.css')).toBe('/css/site.css');
    // Another host that starts with the same characters is another origin.
    expect(publicPathOf('https://cdn.example.evil/css/site.css')).toBeUndefined();
    expect(publicPathOf('https://cdn.example.evil/_bust/T/css/site.css')).toBeUndefined();
  });

  it('gives the file of a URL that this build\'s bust() makes, and nothing for another token\'s', () => {
    settings({ token: 'T', basePath: '/docs' });
    expect(publicPathOf('/docs/_bust/T/css/site.css')).toBe('/css/site.css');
    expect(publicPathOf('/docs/_bust/OLD/css/site.css')).toBeUndefined();
    // A folder as long as the basePath is not the basePath: a plain path of public/, kept whole.
    expect(publicPathOf('/abcd/_bust/T/css/site.css')).toBe('/abcd/_bust/T/css/site.css');
  });
});
