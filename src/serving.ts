// The one place that decides how busted URLs are served. Each way is a module of its own:
//
//   serve-folders.ts  token folders in public/: links (the seed's way) or files (hard links)
//   serve-rewrite.ts  a next.config rewrite, nothing in public/
//   host-rules.ts     _headers, _redirects and .assetsignore blocks, for CDNs that answer first
//
// The platform (detected, or the `platform` option) picks the serving; when the file system says
// no, the next way down the list keeps URLs busted. `granularity: 'file'` (fingerprints.ts) changes
// what is served, a folder per fingerprint instead of one per token, not how: the same ways serve it.
// At `next start`, start-serving.ts serves what the build chose (recorded in its env).
import type { NextConfig } from 'next';
import { LinkError, warnOnce } from './errors.js';
import type { TopLevel } from './next-routes.js';
import type { ResolvedOptions } from './options.js';
import { detectPlatform, type Platform } from './platform.js';
import type { Fingerprinted } from './fingerprints.js';

// The ways are loaded when used.
const folders = () => import('./serve-folders.js');
const rewrite = () => import('./serve-rewrite.js');

export type Serving = 'links' | 'files' | 'rewrite';

/** What a build or start serves. */
export interface Served {
  serving: Serving;
  /** The token the HTML uses. */
  current: string;
  /** Every token whose busted URLs answer with files, oldest first. */
  served: string[];
  /** The top-level files and folders of `public/`. */
  entries: TopLevel;
  /**
   * `granularity: 'file'`: the fingerprints, encoded for bust() (fingerprint-map.ts); `current` is
   * then empty and `served` lists the fingerprints whose busted URLs answer with files.
   */
  fingerprints?: string;
}

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

const SERVINGS: Record<Platform, Serving[]> = {
  node: ['links', 'files', 'rewrite'],
  vercel: ['rewrite'],
  netlify: ['files', 'rewrite'],
  cloudflare: ['files', 'rewrite'],
};

export function choosePlan(opts: ResolvedOptions, user: NextConfig): Plan {
  const { platform, reason } =
    opts.platform === 'auto' ? detectPlatform(opts.dir) : { platform: opts.platform, reason: 'the platform option' };
  const exported = user.output === 'export';
  return {
    platform,
    reason,
    // A static export has no server to rewrite: out/ needs real files, which Next.js copies from
    // the links (or the files).
    servings: exported ? ['links', 'files'] : SERVINGS[platform],
    hostRules: exported || platform === 'netlify' || platform === 'cloudflare',
    exported,
  };
}

/**
 * Prepares `public/` for a build the way `plan` says, for one `token` or, with `granularity: 'file'`,
 * for per-file fingerprints; undefined when nothing could be made.
 */
export async function serveBuild(
  plan: Plan,
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  basePath: string,
  files: string[],
  fingerprinted?: Fingerprinted,
): Promise<Served | undefined> {
  let served: Served | undefined;
  let refused: LinkError | undefined;
  for (const serving of servingsFor(plan, fingerprinted)) {
    try {
      served = fingerprinted
        ? serving === 'rewrite'
          ? await (await rewrite()).serveByRewrite(opts, publicDir, '', fingerprinted)
          : await (await folders()).serveFingerprintFolders(opts, publicDir, 'build', fingerprinted)
        : serving === 'rewrite'
          ? await (await rewrite()).serveByRewrite(opts, publicDir, token)
          : await (await folders()).serveByFolders(serving, opts, publicDir, token, 'build', files);
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
        : served.serving === 'rewrite'
          ? `${refused.detail} Until then, busted URLs are served by a rewrite in next.config: Next.js ` +
            'serves them, a server that reads public/ from disk (nginx) does not.'
          : `${refused.detail} Until then, the token folder holds copies of the files instead of links.`,
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
            current: served.current,
            served: served.served,
            perFile: served.fingerprints !== undefined,
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

/**
 * Per-file fingerprints need a file per file in their folders, which links cannot be for every
 * host; so a folder serving is always of files (hard links) for them.
 */
function servingsFor(plan: Plan, fingerprinted: Fingerprinted | undefined): Serving[] {
  if (!fingerprinted) return plan.servings;
  return [...new Set(plan.servings.map((s) => (s === 'links' ? 'files' : s)))];
}
