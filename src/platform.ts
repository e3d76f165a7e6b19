import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the app is deployed, which decides how busted URLs are served:
 *
 * | platform     | serving | why                                                                        |
 * | ------------ | ------- | -------------------------------------------------------------------------- |
 * | `node`       | links   | `next start`, standalone `server.js`, nginx: a server reads `public/` from disk and follows relative links |
 * | `vercel`     | rewrite | its builder recreates directory links where they dangle (the build fails); its routing applies next.config's rewrite and headers before the file system, so nothing needs to be in `public/` |
 * | `netlify`    | files   | its CDN answers files before Next.js and sends requests for any other path to the Next.js function before its own redirect rules, so busted files must exist; links would be copied as absolute links to the build machine; `_headers` gives them the header |
 * | `cloudflare` | files   | OpenNext's asset layer answers files before the worker (the same way), and applies `_redirects` even where a file exists; `_headers` gives them the header |
 *
 * A static export gets links (Next.js copies what they point at into `out/` as real files) plus
 * the header file that Netlify and Cloudflare Pages read.
 */
export type Platform = 'node' | 'vercel' | 'netlify' | 'cloudflare';

export const PLATFORMS: readonly Platform[] = ['node', 'vercel', 'netlify', 'cloudflare'];

export interface Detected {
  platform: Platform;
  /** What gave it away, for the build line: `VERCEL=1`, `wrangler.jsonc`, … */
  reason: string;
}

// OpenNext for Cloudflare runs `next build` as a child of its own command and sets nothing that
// says so; an app set up for it has both of these files (OpenNext's own CLI insists on them).
const OPEN_NEXT_CONFIGS = ['open-next.config.ts', 'open-next.config.mjs', 'open-next.config.js'];
const WRANGLER_CONFIGS = ['wrangler.jsonc', 'wrangler.json', 'wrangler.toml'];

/**
 * The platform this build is for, from the environment variables each host's build sets and the
 * files an OpenNext-for-Cloudflare app has. `node` when nothing matches.
 */
export function detectPlatform(dir: string, env: Record<string, string | undefined> = process.env): Detected {
  if (env.VERCEL === '1') return { platform: 'vercel', reason: 'VERCEL=1' };
  // Netlify's CI sets NETLIFY=true; `netlify build` and `netlify serve` elsewhere set NETLIFY_LOCAL.
  if (env.NETLIFY === 'true') return { platform: 'netlify', reason: 'NETLIFY=true' };
  if (env.NETLIFY_LOCAL === 'true') return { platform: 'netlify', reason: 'NETLIFY_LOCAL=true' };
  if (env.CF_PAGES === '1') return { platform: 'cloudflare', reason: 'CF_PAGES=1' };
  const openNext = OPEN_NEXT_CONFIGS.find((name) => existsSync(path.join(dir, name)));
  const wrangler = WRANGLER_CONFIGS.find((name) => existsSync(path.join(dir, name)));
  if (openNext && wrangler) return { platform: 'cloudflare', reason: `${openNext} and ${wrangler}` };
  return { platform: 'node', reason: 'no host detected' };
}
