// Helpers shared by the benchmark sections: timing, statistics, generated trees, child processes,
// copies of example-app, and the counting proxy. Nothing here asserts anything about timing.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BENCH_DIR = path.join(ROOT, '.bench');
export const EXAMPLE = path.join(ROOT, 'example-app');
export const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');

// ---------------------------------------------------------------------------------------------
// Statistics

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function minmax(values) {
  return [Math.min(...values), Math.max(...values)];
}

export const now = () => performance.now();

/**
 * Runs every variant `warmup + runs` times, interleaved (the order rotates each round, so that
 * drift in machine load falls on all variants alike), and returns the timed samples in ms.
 * A variant is `{ name, fn }`; `fn` may be async. It may resolve with `{ innerMs }`, its own
 * duration (used by variants that time a child process themselves); anything else it returns is
 * ignored. `before` runs untimed before
 * each call (for example to remove what the previous call made).
 */
export async function interleave(variants, { runs, warmup = 1, log = () => {} }) {
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const v of order) {
      if (v.before) await v.before();
      const t0 = now();
      const inner = await v.fn();
      const ms = inner && typeof inner === 'object' && typeof inner.innerMs === 'number' ? inner.innerMs : now() - t0;
      if (round >= warmup) samples[v.name].push(ms);
    }
    log(`round ${round + 1}/${warmup + runs}${round < warmup ? ' (warm-up)' : ''}`);
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmtMs(ms) {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

/** A difference in ms with its sign: `+10.2 ms`, `−112 ms`. */
export function signedMs(ms) {
  return ms < 0 ? `−${fmtMs(-ms)}` : `+${fmtMs(ms)}`;
}

export function fmtNum(n, digits = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtBytes(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

export function fmtRatio(r) {
  return `${r.toFixed(2)}×`;
}

/** `median (min–max)` of samples in ms. */
export function fmtSamples(samples) {
  const [lo, hi] = minmax(samples);
  return `${fmtMs(median(samples))} (${fmtMs(lo)}–${fmtMs(hi)})`;
}

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Machine

export function machine() {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    node: process.version,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export const loadavg = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');

/** Empties the kernel's page cache (root on Linux). Returns false when that is not allowed. */
export function dropCaches() {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes

/** Runs `sh -c script` and resolves with its stdout; rejects when it fails. */
export function sh(script, cwd) {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script], { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** An environment for Next.js children without anything this package or a test runner put there. */
export function childEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key.startsWith('__NEXT_STATIC_BUST')) continue;
    if (key === 'STATIC_BUST_TOKEN' || key === 'NEXT_STATIC_BUST_TOKEN' || key === 'PORT') continue;
    if (key.startsWith('NEXT_STATIC_BUST_')) continue;
    env[key] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

/** Runs a command to its end; resolves with its duration in ms and output. */
export function runTimed(cmd, args, cwd, env = childEnv()) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = now() - t0;
      if (code === 0) resolve({ ms, output });
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code} in ${cwd}:\n${output}`));
    });
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET over a fresh connection; resolves with the status (or rejects when refused). */
function probe(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
  });
}

/**
 * Starts `next start` in `dir` and polls `/` every `pollMs` until it answers 200. Resolves with
 * the server and `readyMs`, the time from spawn to the first 200.
 */
export async function nextStart(dir, { pollMs = 10, env = childEnv() } = {}) {
  const port = await freePort();
  const t0 = now();
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    env: { ...env, PORT: String(port), HOSTNAME: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that stop() also ends its workers
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = false;
  const closed = new Promise((resolve) => child.on('close', () => ((exited = true), resolve())));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await closed;
    clearTimeout(timer);
  };
  const deadline = t0 + 120_000;
  for (;;) {
    if (exited) throw new Error(`next start exited before it was ready:\n${output}`);
    try {
      if ((await probe(url + '/')) === 200) break;
    } catch {
      // not listening yet
    }
    if (now() > deadline) {
      await stop();
      throw new Error(`next start did not answer / within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return { url, readyMs: now() - t0, stop, output: () => output };
}

export async function get(url) {
  const res = await fetch(url, { redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

// ---------------------------------------------------------------------------------------------
// Copies of example-app

const PLAIN_CONFIG = `import type { NextConfig } from 'next';

// The benchmark's baseline: the same app without withStaticBust(), so bust() returns plain URLs.
const nextConfig: NextConfig = {
  reactStrictMode: true,
};

export default nextConfig;
`;

/**
 * A fresh copy of example-app in .bench/<name>: next and react resolve from the repository's
 * node_modules, next-static-bust from the snapshot in .bench/node_modules (see snapshotPackage());
 * `plain` replaces next.config.ts with one that does not wrap.
 */
export function makeApp(name, { plain = false } = {}) {
  const dir = path.join(BENCH_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(EXAMPLE, src);
      return !/^(\.next|node_modules|out)(\/|$)/.test(rel) && !rel.startsWith(path.join('public', '_bust'));
    },
  });
  if (plain) writeFileSync(path.join(dir, 'next.config.ts'), PLAIN_CONFIG);
  return dir;
}

/**
 * Waits until the package's dist/ is complete and has not changed for 3 s: other work on this
 * checkout may be rebuilding it (which deletes it first), and Next.js loads it from there.
 */
export async function waitForDist() {
  const files = ['dist/cjs/config.js', 'dist/cjs/index.js', 'dist/esm/index.js', 'dist/esm/config.js'].map((f) =>
    path.join(ROOT, f),
  );
  const deadline = Date.now() + 180_000;
  for (;;) {
    const mtimes = files.map((f) => (existsSync(f) ? statSync(f).mtimeMs : -1));
    if (mtimes.every((m) => m > 0 && Date.now() - m > 3000)) return;
    if (Date.now() > deadline) throw new Error('dist/ did not settle within 180 s');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** `next build` (Turbopack) from a clean state, as on CI: no .next, no link folders. */
export async function cleanBuild(dir, env = childEnv()) {
  for (let attempt = 1; ; attempt++) {
    rmSync(path.join(dir, '.next'), { recursive: true, force: true });
    rmSync(path.join(dir, 'public', '_bust'), { recursive: true, force: true });
    try {
      return await runTimed(process.execPath, [NEXT_BIN, 'build'], dir, env);
    } catch (error) {
      if (attempt >= 2) throw error;
      console.warn(`[bench] next build failed (attempt ${attempt}), retrying: ${String(error.message).slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
}

/**
 * Copies the built package (package.json and dist/) to .bench/node_modules/next-static-bust and
 * returns its dist/cjs. The apps in .bench/ resolve the package there before the repository's
 * node_modules, so a rebuild of dist/ by other work on this checkout (which deletes it first)
 * cannot break a run that takes minutes.
 */
export async function snapshotPackage() {
  await waitForDist();
  const dest = path.join(BENCH_DIR, 'node_modules', 'next-static-bust');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(dest, 'package.json'));
  cpSync(path.join(ROOT, 'dist'), path.join(dest, 'dist'), { recursive: true });
  return path.join(dest, 'dist', 'cjs');
}

export const exists = existsSync;

// ---------------------------------------------------------------------------------------------
// Counting proxy (as in test/e2e/browser.test.ts): counts requests that reach the server, and the
// bytes of the responses (status line, headers and body) that go back to the browser.

export function countingProxy() {
  const proxy = {
    target: '',
    url: '',
    seen: [],
    server: http.createServer((req, res) => {
      const upstream = http.request(proxy.target + req.url, { method: req.method, headers: req.headers }, (answer) => {
        const record = {
          path: req.url ?? '',
          status: answer.statusCode ?? 0,
          conditional: Boolean(req.headers['if-none-match'] || req.headers['if-modified-since']),
          headerBytes: headerBytes(answer),
          bodyBytes: 0,
        };
        proxy.seen.push(record);
        answer.on('data', (chunk) => (record.bodyBytes += chunk.length));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    }),
    async listen() {
      await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
      proxy.url = `http://127.0.0.1:${proxy.server.address().port}`;
    },
    close() {
      proxy.server.closeAllConnections?.();
      return new Promise((resolve) => proxy.server.close(resolve));
    },
  };
  return proxy;
}

function headerBytes(res) {
  let n = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length + 2;
  for (let i = 0; i < res.rawHeaders.length; i += 2) n += res.rawHeaders[i].length + res.rawHeaders[i + 1].length + 4;
  return n;
}
