// nginx serving public/ from disk in front of next start, with the README's snippet: busted files
// come straight from the links on disk with immutable caching; anything else goes to Next.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IMMUTABLE,
  ROOT,
  expectBustedPage,
  expectNoOddAnswers,
  freePort,
  get,
  makeApp,
  nextBuild,
  nextStart,
  type Server,
} from './harness.js';

const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

let dir: string;
let next: Server;
let nginx: ChildProcess;
let origin: string;
let token: string;

/** The README's snippet, with its placeholders filled in. */
function snippet(publicDir: string, upstream: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = /```nginx\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no nginx snippet');
  return match[1]!.replaceAll('/srv/app/public', publicDir).replaceAll('http://127.0.0.1:3000', upstream);
}

beforeAll(async () => {
  dir = makeApp('nginx');
  await nextBuild(dir);
  next = await nextStart(dir);
  const port = await freePort();
  const conf = path.join(dir, 'nginx');
  mkdirSync(conf, { recursive: true });
  writeFileSync(
    path.join(conf, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${conf}/nginx.pid;
error_log ${conf}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${conf}/body; proxy_temp_path ${conf}/proxy; fastcgi_temp_path ${conf}/fastcgi;
  uwsgi_temp_path ${conf}/uwsgi; scgi_temp_path ${conf}/scgi;
  server {
    listen 127.0.0.1:${port};
${snippet(path.join(dir, 'public'), next.url)}
  }
}
`,
  );
  nginx = spawn(NGINX, ['-p', conf, '-c', path.join(conf, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  nginx.stderr!.on('data', (d) => (output += d));
  origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${output}`);
    const ok = await fetch(origin + '/').then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error(`nginx did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  ({ token } = await expectBustedPage(origin, dir));
});

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  await next?.stop();
});

describe("nginx with the README's snippet in front of next start", () => {
  it('serves busted files itself, from the links on disk, with immutable caching', async () => {
    await expectBustedPage(origin, dir);
    const res = await get(`${origin}/_bust/${token}/css/site.css`);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(res.headers.get('x-powered-by')).toBeNull(); // not Next.js
  });

  it('passes plain URLs, old tokens and missing files to Next.js', async () => {
    const plain = await get(`${origin}/css/site.css`);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=0');
    const old = await get(`${origin}/_bust/0123/css/site.css`);
    expect(old.status).toBe(307);
    expect(old.headers.get('location')).toBe(`/_bust/${token}/css/site.css`);
    const missing = await get(`${origin}/_bust/${token}/css/missing.css`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).not.toContain('immutable');
  });

  it('never serves the bookkeeping, a page or a file outside public/ under the prefix', async () => {
    await expectNoOddAnswers(origin, token);
  });
});
