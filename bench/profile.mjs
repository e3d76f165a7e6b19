// Reads a V8 .cpuprofile and sums self time by where the code comes from, and by function.
import { readFileSync } from 'node:fs';

function category(frame) {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return 'idle: main thread waiting (libuv thread pool doing the I/O)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return '(program): native code V8 does not attribute';
  if (functionName === '(root)') return '(root)';
  if (/\/@nodelib\//.test(url)) return 'fast-glob: @nodelib/fs.walk/scandir/stat';
  if (/\/(micromatch|picomatch|braces|fill-range|to-regex-range)\//.test(url)) return 'fast-glob: micromatch/picomatch';
  if (/\/fast-glob\//.test(url)) return 'fast-glob: fast-glob itself';
  if (/\/(glob-parent|is-glob|merge2|queue-microtask|run-parallel|reusify|fastq)\//.test(url))
    return 'fast-glob: other dependencies';
  if (/dist\/cjs\/token\.js$/.test(url)) return 'next-static-bust: token.js';
  if (/internal\/fs\/|node:fs$/.test(url)) return 'Node.js: fs (JS side: promises, Stats objects)';
  if (/crypto/.test(url)) return 'Node.js: crypto (JS side)';
  if (/node:path|internal\/url|node:url/.test(url)) return 'Node.js: path';
  if (url.startsWith('node:')) return 'Node.js: other internals (streams, timers, modules, …)';
  if (!url && /^(lstat|stat|fstat|readdir|open|openFileHandle|read|close|scandir|readFileUtf8|opendir|realpath)$/.test(functionName))
    return 'Node.js: fs native bindings (making each request, Stats/Dirent objects)';
  if (!url) return 'V8/native builtins (no script)';
  return `other: ${url.replace(/^.*node_modules\//, '')}`;
}

/** Self time (ms) by category and by function; `wallMs` is the profile's span. */
export function summarizeProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const categories = new Map();
  const functions = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    const cat = category(node.callFrame);
    categories.set(cat, (categories.get(cat) ?? 0) + ms);
    const where = node.callFrame.url ? node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/') : '';
    const fname = `${node.callFrame.functionName || '(anonymous)'}${where ? ` (${where}:${node.callFrame.lineNumber + 1})` : ''}`;
    functions.set(fname, (functions.get(fname) ?? 0) + ms);
    total += ms;
  }
  const sort = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    sampledMs: total,
    categories: sort(categories),
    functions: sort(functions),
  };
}
