// bust() on paths whose busted URL would name another file than the one asked for: a folder that
// looks like the basePath once cut at its length, backslashes without a dot segment, and %2e%2e
// after a folder (docs/mutation-testing.md, "Third run").
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bust } from '../../src/index.js';

function settings({ token = '', basePath = '' } = {}) {
  vi.stubEnv('NEXT_STATIC_BUST_TOKEN', token);
  vi.stubEnv('NEXT_STATIC_BUST_NAMESPACE', '');
  vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', basePath);
  vi.stubEnv('NEXT_STATIC_BUST_FILES', '');
  vi.stubEnv('NEXT_STATIC_BUST_SERVING', '');
  vi.stubEnv('NEXT_STATIC_BUST_ASSET_HOST', '');
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
