// Config plugins that real apps use, in both orders around withStaticBust(), with both bundlers:
// next-intl's, @next/mdx's and @next/bundle-analyzer's (enabled) copy the config they are given as
// an object; @sentry/nextjs's wraps a function config. Either the build busts URLs and keeps every
// key of the user's config, or it stops with next-static-bust's error that names the fix: never a
// silent loss. The plugins come from test/plugins/tools (installed by `npm run test:plugins`); the
// apps are copies of example-app beside them, so that both resolve.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, makeApp, nextBuild, run } from '../e2e/harness.js';

const APPS = path.join(ROOT, 'test/plugins/tools/apps');

interface Plugin {
  name: string;
  /** Imports and the plugin function, `withPlugin`. */
  setup: string;
  files?: Record<string, string>;
  /** A check of what the plugin added, on a built app. */
  check?: (dir: string) => void;
  /** What the other order does, per bundler: the plugin calls a function config, or copies it. */
  inner: Record<'turbopack' | 'webpack', 'busts' | 'stops'>;
}

const PLUGINS: Plugin[] = [
  {
    name: 'next-intl',
    setup: `import createNextIntlPlugin from 'next-intl/plugin';\nconst withPlugin = createNextIntlPlugin();`,
    files: {
      'i18n/request.ts': `import { getRequestConfig } from 'next-intl/server';
export default getRequestConfig(async () => ({ locale: 'en', messages: { hello: 'Hello' } }));
`,
    },
    inner: { turbopack: 'stops', webpack: 'stops' },
  },
  {
    name: '@next/mdx',
    setup: `import createMDX from '@next/mdx';\nconst withPlugin = createMDX({});`,
    files: {
      'mdx-components.tsx': `export function useMDXComponents(components: Record<string, unknown>) {\n  return components;\n}\n`,
      'app/notes/page.mdx': '# Notes\n\nWritten in MDX.\n',
    },
    // pageExtensions survived: the MDX page was built.
    check: (dir) => expect(readFileSync(path.join(dir, '.next/server/app/notes.html'), 'utf8')).toContain('Written in MDX.'),
    inner: { turbopack: 'stops', webpack: 'stops' },
  },
  {
    name: '@next/bundle-analyzer',
    setup: `import bundleAnalyzer from '@next/bundle-analyzer';\nconst withPlugin = bundleAnalyzer({ enabled: true, openAnalyzer: false, analyzerMode: 'json' });`,
    // Under Turbopack it hands the config on untouched (it analyzes webpack builds only).
    inner: { turbopack: 'busts', webpack: 'stops' },
  },
  {
    name: '@sentry/nextjs',
    // Sentry 11 has its build-time part at @sentry/nextjs/config.
    setup: `import { withSentryConfig } from '@sentry/nextjs/config';\nconst withPlugin = (config) => withSentryConfig(config, { silent: true, telemetry: false, sourcemaps: { disable: true } });`,
    // It calls a function config with the phase, as Next.js does.
    inner: { turbopack: 'busts', webpack: 'busts' },
  },
];

function config(plugin: Plugin, order: 'outer' | 'inner'): string {
  const user = `{ env: { MY_VAR: 'mine' }, pageExtensions: ['ts', 'tsx', 'md', 'mdx'] }`;
  return `import { withStaticBust } from 'next-static-bust/config';
${plugin.setup}

const nextConfig = ${user};

export default ${order === 'outer' ? 'withStaticBust(withPlugin(nextConfig))' : 'withPlugin(withStaticBust(nextConfig))'};
`;
}

/** The prerendered home page, with the user's env shown through a page that prints it. */
function home(dir: string): string {
  return readFileSync(path.join(dir, '.next/server/app/index.html'), 'utf8');
}

const ENV_PAGE = `export default function EnvPage() {\n  return <p data-testid="env">{process.env.MY_VAR}</p>;\n}\n`;

for (const plugin of PLUGINS) {
  describe(plugin.name, () => {
    for (const bundler of ['turbopack', 'webpack'] as const) {
      const args = bundler === 'webpack' ? ['--webpack'] : [];
      const slug = `${plugin.name.replace(/[@/]/g, '-')}-${bundler}`.replace(/^-/, '');

      it(`withStaticBust(withPlugin(config)) with ${bundler}: busted URLs, and the user's config kept`, async () => {
        const dir = makeApp(`${slug}-outer`, {
          config: { file: 'next.config.mjs', contents: config(plugin, 'outer') },
          files: { ...plugin.files, 'app/env/page.tsx': ENV_PAGE },
        }, APPS);
        await nextBuild(dir, args);
        expect(home(dir)).toMatch(/\/_bust\/\d+\/css\/site\.css/);
        expect(readFileSync(path.join(dir, '.next/server/app/env.html'), 'utf8')).toContain('>mine</p>');
        plugin.check?.(dir);
      });

      it(`withPlugin(withStaticBust(config)) with ${bundler}: ${plugin.inner[bundler] === 'busts' ? 'busts and keeps the config' : "stops with next-static-bust's fix"}`, async () => {
        const dir = makeApp(`${slug}-inner`, {
          config: { file: 'next.config.mjs', contents: config(plugin, 'inner') },
          files: { ...plugin.files, 'app/env/page.tsx': ENV_PAGE },
        }, APPS);
        const result = await nextBuild(dir, args).then(
          (r) => ({ ok: true as const, output: r.output }),
          (error: Error) => ({ ok: false as const, output: error.message }),
        );
        expect(result.ok ? 'busts' : 'stops', result.output.slice(-2000)).toBe(plugin.inner[bundler]);
        if (result.ok) {
          expect(home(dir)).toMatch(/\/_bust\/\d+\/css\/site\.css/);
          expect(readFileSync(path.join(dir, '.next/server/app/env.html'), 'utf8')).toContain('>mine</p>');
          plugin.check?.(dir);
        } else {
          expect(result.output).toMatch(
            /\[next-static-bust\] the config that withStaticBust\(\) returned was copied as an object by another plugin.*Make withStaticBust\(\) the outermost call/,
          );
          expect(existsSync(path.join(dir, '.next/server/app/index.html'))).toBe(false);
        }
      });
    }
  });
}

describe('next.config.ts', () => {
  it("withNextIntl(withStaticBust(config)) type-checks, and the build stops with next-static-bust's fix (not a type error)", async () => {
    const plugin = PLUGINS[0]!;
    const dir = makeApp('next-intl-ts-inner', {
      files: {
        ...plugin.files,
        'next.config.ts': `import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';
import { withStaticBust } from 'next-static-bust/config';

const withNextIntl = createNextIntlPlugin();
const nextConfig: NextConfig = { env: { MY_VAR: 'mine' } };

export default withNextIntl(withStaticBust(nextConfig));
`,
      },
    }, APPS);
    // The app's TypeScript check, next.config.ts included (the build stops before its own check).
    await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir], dir);
    const error = await nextBuild(dir).then(() => undefined, (e: Error) => e.message);
    expect(error).toBeDefined();
    expect(error).not.toMatch(/TS2559|Type error/);
    expect(error).toMatch(/\[next-static-bust\] the config that withStaticBust\(\) returned was copied as an object/);
  });
});
