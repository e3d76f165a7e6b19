// The one place that decides how busted URLs are served. Each way is a module of its own:
//
//   serve-links.ts    links   token folders of relative links in public/ (the seed's way), for a
//                             server that reads public/ from disk: next start, standalone, nginx
//   serve-static.ts   static  copies in the build's own static folder, served at
//                             /_next/static/media/…: every host, a read-only public/, per-file
//   host-rules.ts             _headers (and _redirects) blocks, for CDNs that answer first
//
// The platform (detected, or the `platform` option) picks the serving; when the file system refuses
// links, the static folder keeps URLs busted. `granularity: 'file'` is always served from the
// static folder: a fingerprint folder per file is what a build makes there anyway.
// At `next start`, start/restore.ts serves what the build chose (recorded in its env).
import type { NextConfig } from 'next';
import { LinkError, warnOnce } from '../shared/errors.js';
import type { ResolvedOptions } from '../plugin/options.js';
import type { Platform } from '../plugin/options.js';
import { detectPlatform } from '../plugin/platform.js';
import type { Content, Served, Serving } from './served.js';

// The ways are loaded when used.
const links = () => import('./serve-links.js');
const staticFolder = () => import('./serve-static.js');

export interface Plan {
  platform: Platform;
  /** Why that platform: `VERCEL=1`, `the platform option`, … */
  reason: string;
  /** The ways to try, best first. */
  servings: Serving[];
  /** Whether the CDN reads rule files (`_headers`, …) from `public/`. */
  hostRules: boolean;
  exported: boolean;
}

// Hosts that collect public/ themselves would upload links as links to the build machine (or
// fail); their CDNs and Next.js serve the static folder as files.
const SERVINGS: Record<Platform, Serving[]> = {
  node: ['links', 'static'],
  vercel: ['static'],
  netlify: ['static'],
  cloudflare: ['static'],
};

export function choosePlan(opts: ResolvedOptions, user: NextConfig): Plan {
  const { platform, reason } =
    opts.platform === 'auto' ? detectPlatform(opts.dir) : { platform: opts.platform, reason: 'the platform option' };
  const exported = user.output === 'export';
  return {
    platform,
    reason,
    // A static export copies what the links point at into out/ as real files (and the static
    // folder into out/_next/static/).
    servings: exported ? ['links', 'static'] : SERVINGS[platform],
    hostRules: exported || platform === 'netlify' || platform === 'cloudflare',
    exported,
  };
}

export interface BuildServing {
  plan: Plan;
  opts: ResolvedOptions;
  publicDir: string;
  content: Content;
  /** next.config's `basePath`, for the hosts' rule files. */
  basePath: string;
}

/**
 * Prepares `public/` for a build the way `plan` says, for one token or, with `granularity: 'file'`,
 * for per-file fingerprints; undefined when nothing could be made.
 */
export async function serveBuild({ plan, opts, publicDir, content, basePath }: BuildServing): Promise<Served | undefined> {
  let served: Served | undefined;
  let refused: LinkError | undefined;
  for (const serving of 'token' in content ? plan.servings : (['static'] as const)) {
    try {
      served =
        serving === 'static' || !('token' in content)
          ? await (await staticFolder()).serveStatic(opts, publicDir, content)
          : await (await links()).serveLinks(opts, publicDir, content.token);
      break;
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      refused ??= error;
    }
  }
  if (refused) {
    warnOnce(
      'links-build',
      !served
        ? `${refused.detail} Until then, URLs are not busted.`
        : `${refused.detail} Until then, busted URLs are served from copies in the build's static folder ` +
          '(/_next/static/media/…): a server that reads public/ from disk (nginx) must serve .next/static too.',
    );
  }
  if (!served) return undefined;
  try {
    // A build's work only: `next start` does not load it.
    const { writeHostRules } = await import('./host-rules.js');
    await writeHostRules(
      publicDir,
      plan.hostRules
        ? {
            platform: plan.platform,
            exported: plan.exported,
            namespace: opts.namespace,
            basePath,
            serving: served.serving,
            current: served.current,
            served: served.served,
          }
        : undefined,
    );
  } catch (error) {
    if (!(error as NodeJS.ErrnoException).code) throw error;
    warnOnce(
      'host-rules',
      `could not write the host's rule files in public/ (${(error as Error).message}), so its CDN ` +
        'will not send busted files with immutable caching. Make public/ writable during next build.',
    );
  }
  return served;
}
