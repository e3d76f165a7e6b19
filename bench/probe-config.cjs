// Loaded with `node --require` into `next start` and `next build` (bench/measure-next.mjs): times
// what next-static-bust's own code takes inside the process, which the end-to-end figures (±20 ms
// a start, ±3 % a build from run to run here) cannot resolve: the load of `next-static-bust/config`
// (with what it imports), each call of the config function it returns, and the hook it adds after
// compiling. Appends one JSON line per call to the file in NSB_PROBE_OUT.
const { appendFileSync } = require('node:fs');
const Module = require('node:module');

const out = process.env.NSB_PROBE_OUT;
const load = Module._load;
let loading = false;
Module._load = function probeLoad(request) {
  if (loading || !/^next-static-bust\/config$/.test(request)) return load.apply(this, arguments);
  loading = true;
  const t0 = performance.now();
  let mod;
  try {
    mod = load.apply(this, arguments);
  } finally {
    loading = false;
  }
  const loadMs = performance.now() - t0;
  const { withStaticBust } = mod;
  return {
    ...mod,
    withStaticBust(...args) {
      const config = withStaticBust(...args);
      const timed = async function timedConfig(phase, context) {
        const t1 = performance.now();
        const result = await config(phase, context);
        appendFileSync(out, JSON.stringify({ pid: process.pid, phase, loadMs, callMs: performance.now() - t1 }) + '\n');
        // The wrapper's check of the proxy's matchers, which Next.js runs after compiling.
        const after = result.compiler?.runAfterProductionCompile;
        if (!after) return result;
        const runAfterProductionCompile = async (metadata) => {
          const t2 = performance.now();
          await after(metadata);
          appendFileSync(out, JSON.stringify({ pid: process.pid, phase: 'after-compile', loadMs, callMs: performance.now() - t2 }) + '\n');
        };
        return { ...result, compiler: { ...result.compiler, runAfterProductionCompile } };
      };
      return Object.assign(timed, config);
    },
  };
};
