// Vercel cannot be run offline, so the Vercel test reads what `vercel build` made and routes
// requests through `.vercel/output/config.json` the way the Build Output API (v3) lays it out: the
// routes are grouped into phases by their `{ handle }` markers, and a request goes
//
//   none (the routes before the first marker) → the file system → `filesystem` → `rewrite` →
//   `resource` → `miss` → `error`,
//
// ending at the first file system match, which then goes through the `hit` phase (headers only).
// That order is the one of the router that next-on-pages runs Vercel's output with
// (build-output-router's getNextPhase); the header rules follow `vercel dev`'s router (vercel 58,
// src/util/dev/router.ts): in the `hit` and `miss` phases a header already set is kept. A route
// with `check: true` looks its destination up in the file system; a `miss` route that finds it
// answers it with the route's status (Next.js's `/_next/static/.+` → 404 `not-found.txt`). After a
// `miss` answer, the `hit` routes run on the path answered, as next-on-pages' router does: they can
// only add headers, so a test that finds none there has not been spared by this model.
//
// The file system is `static/` (with `overrides`, which serve a file under another path) and the
// functions (`functions/<path>.func`). Only regular files count, as on Vercel: a folder is no answer.
// Route sources are anchored and matched without regard to case, as Vercel does. The requests
// carry no headers, cookies or query, so a route with `has` conditions never matches and one with
// `missing` conditions always may. Middleware, `methods`, `locale` and `transforms` are out of its
// scope (the apps tested have none); a route that needs them throws rather than being guessed at.
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Route {
  src?: string;
  has?: unknown[];
  missing?: unknown[];
  dest?: string;
  headers?: Record<string, string>;
  status?: number;
  continue?: boolean;
  check?: boolean;
  important?: boolean;
  override?: boolean;
  handle?: string;
  middlewarePath?: string;
  middlewareRawSrc?: unknown;
  locale?: unknown;
  methods?: unknown;
  transforms?: unknown;
}

export type Phase = 'none' | 'filesystem' | 'rewrite' | 'resource' | 'miss' | 'hit' | 'error';

export interface Routed {
  status: number;
  headers: Record<string, string>;
  /** For each header of the answer, the route that set it: its phase and `src`. */
  setBy: Record<string, { phase: Phase; src: string }>;
  /** The phase that decided the answer: `hit` (a file or function found), `miss`, `error`, or `none` (a redirect). */
  phase: Phase;
  /** The file of `static/` that answers. */
  file?: string;
  /** The function (`functions/<name>.func`) that answers. */
  fn?: string;
}

interface Config {
  routes: Route[];
  overrides?: Record<string, { path?: string }>;
}

/** The routes of `config.json`, by phase. */
export function routesByPhase(outputDir: string): Record<Phase, Route[]> {
  const config = readConfig(outputDir);
  const phases: Record<Phase, Route[]> = { none: [], filesystem: [], rewrite: [], resource: [], miss: [], hit: [], error: [] };
  let phase: Phase = 'none';
  for (const route of config.routes) {
    if (route.handle) {
      if (!(route.handle in phases)) throw new Error(`unknown phase ${route.handle}`);
      phase = route.handle as Phase;
    } else {
      phases[phase].push(route);
    }
  }
  return phases;
}

function readConfig(outputDir: string): Config {
  return JSON.parse(readFileSync(path.join(outputDir, 'config.json'), 'utf8')) as Config;
}

export function routeRequest(outputDir: string, pathname: string): Routed {
  const config = readConfig(outputDir);
  const phases = routesByPhase(outputDir);
  const headers: Record<string, string> = {};
  const setBy: Routed['setBy'] = {};
  let status: number | undefined;
  let current = pathname;

  /** What answers `p` in the file system: a regular file of static/ (or an override), or a function. */
  const lookup = (p: string): { file?: string; fn?: string } | undefined => {
    let rel: string;
    try {
      rel = decodeURIComponent(p).replace(/^\//, '');
    } catch {
      return undefined; // not a path Vercel would decode either
    }
    const override = Object.entries(config.overrides ?? {}).find(([, o]) => o.path === rel)?.[0];
    for (const candidate of [override, rel].filter((c): c is string => c !== undefined && c !== '')) {
      const file = path.join(outputDir, 'static', candidate);
      if (!path.relative(path.join(outputDir, 'static'), file).startsWith('..') && lstatSync(file, { throwIfNoEntry: false })?.isFile()) {
        return { file };
      }
    }
    const fn = rel === '' ? 'index' : rel;
    if (!fn.split('/').includes('..') && existsSync(path.join(outputDir, 'functions', `${fn}.func`))) return { fn };
    return undefined;
  };

  /** Whether `route` matches the current path; applies its headers and status, and returns its destination. */
  const apply = (phase: Phase, route: Route): { dest?: string } | undefined => {
    if (!route.src) return undefined;
    if (route.middlewarePath || route.locale || route.methods || route.transforms) {
      throw new Error(`a route this model does not evaluate: ${JSON.stringify(route)}`);
    }
    if ((route.has?.length ?? 0) > 0) return undefined; // no header, cookie or query to meet it
    const source = route.src.replace(/^\^/, '').replace(/\$$/, '');
    const match = new RegExp(`^(?:${source})$`, 'i').exec(current);
    if (!match) return undefined;
    const fill = (value: string) =>
      value.replace(/\$([1-9a-zA-Z]+)/g, (_, key: string) => (/^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key]) ?? '');
    if (route.override) {
      for (const key of Object.keys(headers)) delete headers[key];
      status = undefined;
    }
    for (const [key, value] of Object.entries(route.headers ?? {})) {
      const name = key.toLowerCase();
      if ((phase === 'hit' || phase === 'miss') && name in headers) continue;
      headers[name] = fill(value);
      setBy[name] = { phase, src: route.src };
    }
    if (route.status) status = route.status;
    return { dest: route.dest === undefined ? undefined : fill(route.dest).split('?')[0] };
  };

  /** The `hit` phase for the answer `found` at the current path. */
  const hit = (found: { file?: string; fn?: string }, answering: Phase): Routed => {
    for (const route of phases.hit) apply('hit', route);
    return { status: status ?? 200, headers, setBy, phase: answering, ...found };
  };

  // The routes before the file system: redirects, headers, `beforeFiles` rewrites.
  for (const route of phases.none) {
    const matched = apply('none', route);
    if (!matched) continue;
    if (matched.dest !== undefined) current = matched.dest;
    if (status && status >= 300 && status < 400 && 'location' in headers) return { status, headers, setBy, phase: 'none' };
    if (!route.continue) break;
  }
  let found = lookup(current);
  if (found) return hit(found, 'hit');

  // The phases that rewrite what the file system did not find, each followed by a look-up.
  for (const phase of ['filesystem', 'rewrite', 'resource'] as const) {
    for (const route of phases[phase]) {
      const matched = apply(phase, route);
      if (!matched) continue;
      if (matched.dest !== undefined) current = matched.dest;
      if (route.check && (found = lookup(current))) return hit(found, 'hit');
      if (!route.continue) break;
    }
    if ((found = lookup(current))) return hit(found, 'hit');
  }

  // Nothing found: the `miss` routes, whose `check` destination answers with their status.
  for (const route of phases.miss) {
    const matched = apply('miss', route);
    if (!matched) continue;
    if (matched.dest !== undefined) current = matched.dest;
    if (route.check && (found = lookup(current))) return hit(found, 'miss');
    if (!route.continue) break;
  }

  // Still nothing: the `error` routes for the status so far (a 404 when none was set).
  status = status && status >= 400 ? status : 404;
  for (const route of phases.error) {
    if (route.status !== status) continue;
    const matched = apply('error', route);
    if (!matched) continue;
    if (matched.dest !== undefined && (found = lookup(matched.dest))) return { status, headers, setBy, phase: 'error', ...found };
    break;
  }
  return { status, headers, setBy, phase: 'error' };
}
