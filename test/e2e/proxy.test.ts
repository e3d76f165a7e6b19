// A proxy (middleware) with the matcher most auth guides show covers the busted prefix: its
// redirect to the login page goes out with the immutable header of busted files. The build stops
// and says so, with the changed matcher (`proxy: 'warn'` builds anyway); with that matcher, busted
// files are served and pages still guarded.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, get, makeApp, nextBuild, nextStart, tokenIn, type Server } from './harness.js';

const MATCHER = '/((?!api|_next/static|_next/image|favicon.ico).*)';

const proxy = (matcher: string) => `import { NextResponse, type NextRequest } from 'next/server';

// Signed-out visitors go to /login, as auth libraries' proxies do.
export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname === '/login' || request.cookies.get('session')) return NextResponse.next();
  return NextResponse.redirect(new URL('/login', request.url));
}

export const config = { matcher: [${JSON.stringify(matcher)}] };
`;

const LOGIN = `export default function Login() {\n  return <h1>Sign in</h1>;\n}\n`;

let dir: string;
let server: Server | undefined;

beforeAll(() => {
  dir = makeApp('proxy', { files: { 'proxy.ts': proxy(MATCHER), 'app/login/page.tsx': LOGIN } });
});

afterAll(async () => {
  await server?.stop();
});

describe('a proxy whose matcher covers the busted prefix', () => {
  let fixed: string;

  it('stops the build by default, with the matcher changed to leave the prefix out', async () => {
    // run() rejects when the command exits with another code than 0, with its output.
    const output = await nextBuild(dir).then(
      () => 'the build passed',
      (failure: Error) => failure.message,
    );
    const error = /\[next-static-bust\] the proxy \(middleware\) also runs for busted URLs: its matcher "(.*?)" covers .*?: "(.*?)"\. The build stops/s.exec(output);
    expect(error, output).not.toBeNull();
    expect(error![1]).toBe(MATCHER);
    fixed = error![2]!;
    expect(fixed).toBe('/((?!_bust/|api|_next/static|_next/image|favicon.ico).*)');
  });

  it("with proxy: 'warn', builds, and answers busted URLs with its redirect and the immutable header (why it stops)", async () => {
    const config = path.join(dir, 'next.config.ts');
    const original = readFileSync(config, 'utf8');
    writeFileSync(config, original.replace('withStaticBust(nextConfig)', "withStaticBust(nextConfig, { proxy: 'warn' })"));
    expect(readFileSync(config, 'utf8')).not.toBe(original);
    const { output } = await nextBuild(dir);
    expect(output).toMatch(/\[next-static-bust\] the proxy \(middleware\) also runs for busted URLs/);
    writeFileSync(config, original);
    server = await nextStart(dir);
    const token = tokenIn((await get(`${server.url}/login`)).text);
    const res = await get(`${server.url}/_bust/${token}/css/site.css`);
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toMatch(/\/login$/);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    await server.stop();
  });

  it('with the suggested matcher: no report, busted files served, pages still guarded', async () => {
    writeFileSync(path.join(dir, 'proxy.ts'), proxy(fixed));
    const { output } = await nextBuild(dir);
    expect(output).not.toMatch(/the proxy \(middleware\)/);
    server = await nextStart(dir);
    const token = tokenIn((await get(`${server.url}/login`)).text);
    const res = await get(`${server.url}/_bust/${token}/css/site.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(res.text).toBe(readFileSync(path.join(dir, 'public/css/site.css'), 'utf8'));
    const page = await get(`${server.url}/`);
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toMatch(/\/login$/);
  });
});
