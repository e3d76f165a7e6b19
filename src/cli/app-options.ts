import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StaticBustError } from '../shared/errors.js';
import { BASE_PATH_RECORD, PHASE_INFO, RECORD } from '../plugin/app-record.js';
import { NEXT_CONFIG_FILES, type StaticBustOptions } from '../plugin/options.js';

// The CLI must use what `next build` would use: the options given to withStaticBust() in the app's
// next.config. Next.js's own loader reads the config (next.config.ts included) in a phase in which
// the wrapper writes nothing; withStaticBust() leaves its options and the basePath there (app-record.ts).

export interface AppOptions {
  /** The config file that was read, or undefined when the app has none. */
  file: string | undefined;
  /** The options its withStaticBust() call was given, or undefined when it has none. */
  options: StaticBustOptions | undefined;
  /** The config's basePath ('' for none), as withStaticBust() saw it. */
  basePath: string;
}

/**
 * Loads the app's next.config as `next build` would and returns the options of its withStaticBust().
 *
 * A JavaScript config is imported here, after the app's `.env` files are loaded with Next.js's own
 * `@next/env` (as its loader does first): loading the loader, `next/dist/server/config`, would be
 * most of what the CLI spends on a small app (bench/ANALYSIS.md).
 * A TypeScript config, or one that fails here (one that needs the aliases Next.js installs, such
 * as `require('webpack')`), goes through Next.js's loader.
 */
export async function readAppOptions(dir: string): Promise<AppOptions> {
  const file = NEXT_CONFIG_FILES.find((name) => existsSync(path.join(dir, name)));
  if (!file) return { file: undefined, options: undefined, basePath: '' };
  const next = nextRequire(dir, file);
  const records = globalThis as Record<symbol, unknown>;
  delete records[RECORD];
  delete records[BASE_PATH_RECORD];
  let direct = false;
  if (/\.[cm]?js$/.test(file)) {
    try {
      await importConfig(next, dir, file);
      direct = true;
    } catch {
      delete records[RECORD];
      delete records[BASE_PATH_RECORD];
    }
  }
  if (!direct) {
    const { default: loadConfig } = next('next/dist/server/config') as {
      default: (phase: string, dir: string, opts?: object) => Promise<unknown>;
    };
    try {
      await loadConfig(PHASE_INFO, dir, { silent: true });
    } catch (error) {
      throw new StaticBustError(`could not read ${file}: ${(error as Error).message}`);
    }
  }
  const options = records[RECORD] as StaticBustOptions | undefined;
  const basePath = records[BASE_PATH_RECORD];
  return { file, options, basePath: typeof basePath === 'string' ? basePath : '' };
}

/** `require` from the app's own Next.js, as `next build` uses it; else from the one beside the CLI. */
function nextRequire(dir: string, file: string): NodeRequire {
  for (const from of [dir, process.cwd()]) {
    try {
      return createRequire(createRequire(path.join(from, 'package.json')).resolve('next/package.json'));
    } catch {
      // not installed there
    }
  }
  throw new StaticBustError(
    `could not read ${file}: Next.js is not installed in ${dir}. Run the command in the app's ` +
      'folder (or pass --dir) after installing its dependencies.',
  );
}

// A real import(), which TypeScript's CommonJS output would turn into a require() of the URL: the
// config may be an ES module (next.config.mjs, or .js in a `"type": "module"` package).
const importUrl = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

/**
 * What `import()` of the config gives Next.js's loader as the config (the default export, or
 * `module.exports`). A CommonJS config is required (sooner than through the module loader);
 * an ES module, one that require() refuses, is imported.
 */
async function loadModule(file: string): Promise<unknown> {
  if (!file.endsWith('.mjs')) {
    try {
      const mod = createRequire(file)(file) as { default?: unknown; [Symbol.toStringTag]?: unknown };
      // An ES module that Node.js's require() loads (20.19 and later) gives its namespace.
      return mod?.[Symbol.toStringTag] === 'Module' ? mod.default || mod : mod;
    } catch (error) {
      // An ES module (`"type": "module"`, import syntax, top-level await): imported below.
      // Anything else is the config's own error, for Next.js's loader to report.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE' && !(error instanceof SyntaxError)) throw error;
    }
  }
  // With a query of its own: the module loader keeps a failed import by URL, and a failure here
  // must leave Next.js's loader a fresh try.
  const mod = (await importUrl(`${pathToFileURL(file).href}?next-static-bust`)) as { default?: unknown };
  return mod.default || mod;
}

/** What Next.js's loader does with a JavaScript config, in the phase in which the wrapper writes nothing. */
async function importConfig(next: NodeRequire, dir: string, file: string): Promise<void> {
  // @next/env only when the app has one of the files `next build` reads (as
  // @next/env lists them): without one, loadEnvConfig() changes nothing.
  const mode = process.env.NODE_ENV === 'test' ? 'test' : 'production';
  const envFiles = [`.env.${mode}.local`, ...(mode === 'test' ? [] : ['.env.local']), `.env.${mode}`, '.env'];
  if (envFiles.some((name) => existsSync(path.join(dir, name)))) {
    const { loadEnvConfig } = next('@next/env') as {
      loadEnvConfig: (dir: string, dev: boolean, log: { info: () => void; error: () => void }) => unknown;
    };
    loadEnvConfig(dir, false, { info: () => {}, error: () => {} });
  }
  const config = await loadModule(path.join(dir, file));
  if (typeof config === 'function') {
    // A function config is called as Next.js calls it: withStaticBust() may be inside it. Next.js's
    // default config is loaded if the function reads it (the wrapper's own function does not).
    const context = {
      get defaultConfig(): object {
        return (next('next/dist/server/config-shared') as { defaultConfig: object }).defaultConfig;
      },
    };
    await (config as (phase: string, context: object) => unknown)(PHASE_INFO, context);
  } else {
    await config;
  }
}
