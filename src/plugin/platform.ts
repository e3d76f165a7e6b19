// Which host the build is for, from its environment and files (at `next build` only; the option's
// values are checked with the other options, in options.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Platform } from './options.js';

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
