// Vercel cannot be run offline, so the Vercel test reads what `vercel build` made and routes
// requests through `.vercel/output/config.json` the way the Build Output API (v3) documents it, for
// the part that decides busted URLs: the routes before `{ handle: 'filesystem' }` (headers
// accumulate; `continue` goes on; a 3xx `status` ends with a redirect; `dest` rewrites), then the
// file system (`static/`, with `overrides`). Route sources are anchored and matched without regard
// to case, as Vercel does. The requests carry no headers, so routes with `has` conditions never
// match. Functions (pages) are out of its scope: the checks only ask for files.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Route {
  src?: string;
  has?: unknown[];
  missing?: unknown[];
  dest?: string;
  headers?: Record<string, string>;
  status?: number;
  continue?: boolean;
  handle?: string;
}

export interface Routed {
  status: number;
  headers: Record<string, string>;
  /** The file of `static/` that answers. */
  file?: string;
}

export function routeRequest(outputDir: string, pathname: string): Routed {
  const config = JSON.parse(readFileSync(path.join(outputDir, 'config.json'), 'utf8')) as {
    routes: Route[];
    overrides?: Record<string, { path?: string }>;
  };
  const headers: Record<string, string> = {};
  let current = pathname;
  for (const route of config.routes) {
    if (route.handle) break; // the filesystem phase and what follows it
    // The requests asked here carry no headers, cookies or query: a route that needs one is skipped.
    if (!route.src || (route.has?.length ?? 0) > 0) continue;
    const source = route.src.replace(/^\^/, '').replace(/\$$/, '');
    const match = new RegExp(`^(?:${source})$`, 'i').exec(current);
    if (!match) continue;
    const fill = (value: string) => value.replace(/\$(\d+)/g, (_, n: string) => match[Number(n)] ?? '');
    for (const [key, value] of Object.entries(route.headers ?? {})) headers[key.toLowerCase()] = fill(value);
    if (route.dest) current = fill(route.dest).split('?')[0]!;
    if (route.status && route.status >= 300 && route.status < 400 && !route.continue) {
      return { status: route.status, headers };
    }
    if (!route.continue) break;
  }
  const fromOverride = Object.entries(config.overrides ?? {}).find(([, o]) => o.path === current.slice(1))?.[0];
  const file = path.join(outputDir, 'static', fromOverride ?? current.slice(1));
  if (current !== '/' && existsSync(file)) return { status: 200, headers, file };
  return { status: 404, headers };
}
