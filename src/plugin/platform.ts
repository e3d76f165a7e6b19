import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the app is deployed, which decides how busted URLs are served:
 *
 * | platform     | serving | why                                                                        |
 * | ------------ | ------- | -------------------------------------------------------------------------- |
 * | `node`       | links   | `next start`, standalone `server.js`, nginx: a server reads `public/` from disk and follows relative links |
 * | `vercel`     | static  | its builder recreates directory links where they dangle (the build fails); it uploads the build's static folder and marks `/_next/static/media/` immutable |
 * | `netlify`    | static  | links would be copied as absolute links to the build machine; its plugin copies the static folder to the CDN and marks `/_next/static/*` immutable |
 * | `cloudflare` | static  | OpenNext copies links as absolute links too; the static folder becomes assets, immutable by a `_headers` rule |
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
