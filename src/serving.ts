// The one place that decides how busted URLs are served. Each way is a module of its own:
//
//   serve-links.ts    token folders of relative links in public/   next start, standalone, nginx, export
//   serve-rewrite.ts  a next.config rewrite, nothing in public/     Vercel, Netlify, Cloudflare; servers without links
//   host-rules.ts     _headers and _redirects blocks in public/    CDNs that answer before Next.js
//
// The platform (detected, or the `platform` option) picks the serving; the fallbacks below keep
// URLs busted when the file system says no.
import type { NextConfig } from 'next';
import { warnOnce } from './errors.js';
import { headersBlock, redirectsBlock, writeBlock, type HostRules } from './host-rules.js';
import type { ResolvedOptions } from './options.js';
import { detectPlatform, type Platform } from './platform.js';
import { LinkError } from './rotate.js';
import { serveByLinks } from './serve-links.js';
import { serveByRewrite } from './serve-rewrite.js';

/** What a build or start serves. */
export interface Served {
  serving: 'links' | 'rewrite';
  /** The token the HTML uses. */
  current: string;
  /** Every token whose busted URLs answer with files, oldest first. */
  served: string[];
  /** With `rewrite`: the top-level entries of `public/` that the rewrite covers. */
  entries: string[];
}

export interface Plan {
  platform: Platform;
  /** Why that platform: `VERCEL=1`, `the platform option`, … */
  reason: string;
  serving: Served['serving'];
  /** Whether `_headers` and `_redirects` are written for a CDN that answers before Next.js. */
  hostRules: boolean;
  exported: boolean;
}

export function choosePlan(opts: ResolvedOptions, user: NextConfig): Plan {
  const { platform, reason } =
    opts.platform === 'auto' ? detectPlatform(opts.dir) : { platform: opts.platform, reason: 'the platform option' };
  const exported = user.output === 'export';
  // A static export has no server to rewrite: Next.js must copy real files into out/, which it does
  // by following the links.
  const serving = platform === 'node' || exported ? 'links' : 'rewrite';
  const hostRules = platform === 'netlify' || platform === 'cloudflare' || exported;
  return { platform, reason, serving, hostRules, exported };
}

/** Prepares `public/` for a build the way `plan` says, falling back where links are refused. */
export async function serveBuild(
  plan: Plan,
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  basePath: string,
): Promise<Served | undefined> {
  let served: Served | undefined;
  if (plan.serving === 'rewrite') {
    served = await serveByRewrite(opts, publicDir, token);
  } else {
    try {
      served = await serveByLinks(opts, publicDir, token, 'build');
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      if (plan.exported) {
        warnOnce('links-build', `${error.detail} Until then, URLs are not busted.`);
        return undefined;
      }
      warnOnce(
        'links-build',
        `${error.detail} Until then, busted URLs are served by a rewrite in next.config: next start ` +
          'serves them, but a server that reads public/ from disk (nginx) does not find them.',
      );
      served = await serveByRewrite(opts, publicDir, token);
    }
  }
  if (plan.hostRules) await writeHostRules(publicDir, opts, served, basePath);
  else await removeHostRules(publicDir);
  return served;
}

/** Makes sure the build's token is served at `next start` (the routes come from the build). */
export async function serveStart(
  opts: ResolvedOptions,
  publicDir: string,
  token: string,
  serving: Served['serving'],
): Promise<Served> {
  if (serving === 'rewrite') return { serving, current: token, served: [token], entries: [] };
  try {
    return await serveByLinks(opts, publicDir, token, 'start');
  } catch (error) {
    if (!(error instanceof LinkError)) throw error;
    // The build's links may well be there already (a read-only image built with them). The
    // headers of `next start` come from the build, so the list of served tokens does not matter.
    warnOnce('links-start', error.detail);
    return { serving, current: token, served: [token], entries: [] };
  }
}

async function writeHostRules(publicDir: string, opts: ResolvedOptions, served: Served, basePath: string): Promise<void> {
  const rules: HostRules = {
    namespace: opts.namespace,
    basePath,
    current: served.current,
    served: served.served,
    rewrite: served.serving === 'rewrite',
  };
  try {
    await writeBlock(publicDir, '_headers', headersBlock(rules));
    await writeBlock(publicDir, '_redirects', redirectsBlock(rules));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    warnOnce(
      'host-rules',
      `could not write public/_headers and public/_redirects (${(error as Error).message}), so the ` +
        'CDN will not send busted files with immutable caching. Make public/ writable during next build.',
    );
  }
}

/** Takes the package's blocks out of `_headers` and `_redirects` (a build for another platform). */
async function removeHostRules(publicDir: string): Promise<void> {
  for (const name of ['_headers', '_redirects'] as const) {
    await writeBlock(publicDir, name, []).catch((error: NodeJS.ErrnoException) => {
      if (!error.code) throw error;
    });
  }
}

