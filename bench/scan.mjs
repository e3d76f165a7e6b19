// Section 1: the token scan (`mtime` and `hash` strategies) on generated public/ trees, against
// GNU find / coreutils sha256sum and against other ways of walking a tree in Node.js.
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, promises as fs, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';

const NAMESPACE = '_bust';

// ---------------------------------------------------------------------------------------------
// Trees

/**
 * Writes `count` small files (64 B – 4 KiB, mixed extensions) into `<dir>/public`, 25 to a folder,
 * folders three levels deep (`a3/b7/c12/…`). Returns the number of bytes written.
 */
export function makeSmallTree(dir, count) {
  const publicDir = path.join(dir, 'public');
  rmSync(dir, { recursive: true, force: true });
  const pool = randomBytes(1 << 16);
  const exts = ['css', 'js', 'png', 'svg', 'txt', 'woff2', 'json', 'html'];
  let bytes = 0;
  let lastDir = '';
  for (let i = 0; i < count; i++) {
    const d = Math.floor(i / 25);
    const folder = path.join(publicDir, `a${d % 16}`, `b${Math.floor(d / 16) % 16}`, `c${Math.floor(d / 256)}`);
    if (folder !== lastDir) {
      mkdirSync(folder, { recursive: true });
      lastDir = folder;
    }
    const size = 64 + ((i * 2654435761) % 4033);
    const start = (i * 7919) % (pool.length - size);
    writeFileSync(path.join(folder, `f${i}.${exts[i % exts.length]}`), pool.subarray(start, start + size));
    bytes += size;
  }
  return { publicDir, bytes, files: count };
}

/** `count` files of `size` bytes each, in 4 folders: for byte throughput of the hash. */
export function makeLargeTree(dir, count, size) {
  const publicDir = path.join(dir, 'public');
  rmSync(dir, { recursive: true, force: true });
  const block = randomBytes(size);
  for (let i = 0; i < count; i++) {
    const folder = path.join(publicDir, `media${i % 4}`);
    mkdirSync(folder, { recursive: true });
    block.writeUInt32LE(i, 0); // every file different
    writeFileSync(path.join(folder, `clip${i}.bin`), block);
  }
  return { publicDir, bytes: count * size, files: count };
}

// ---------------------------------------------------------------------------------------------
// Ways of finding the newest mtime. Same semantics as mtimeToken: regular files only, symlinks
// neither followed nor counted, dot files included, public/<namespace> skipped.

const fgOptions = (publicDir) => ({
  cwd: publicDir,
  onlyFiles: true,
  dot: true,
  followSymbolicLinks: false,
  suppressErrors: true,
  ignore: [`${NAMESPACE}/**`],
});

const newestOf = (mtimes) => {
  let newest = 0;
  for (const m of mtimes) if (m > newest) newest = m;
  return newest;
};

/** fast-glob with `stats: true`: what mtimeToken did before it went synchronous (see ANALYSIS.md). */
export async function fgStats(publicDir) {
  const entries = await fg('**', { ...fgOptions(publicDir), stats: true });
  return newestOf(entries.map((e) => e.stats?.mtimeMs ?? 0));
}

/** fast-glob listing only, no stat: the cost of the walk and the pattern matching alone. */
export async function fgList(publicDir) {
  return (await fg('**', fgOptions(publicDir))).length;
}

/** Recursive fs.promises.readdir(withFileTypes) with fs.promises.lstat of each file. */
export async function walkAsync(publicDir) {
  let newest = 0;
  const walk = async (dir, top) => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (e) => {
        if (top && e.name === NAMESPACE) return;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return walk(full, false);
        if (!e.isFile()) return;
        try {
          const { mtimeMs } = await fs.lstat(full);
          if (mtimeMs > newest) newest = mtimeMs;
        } catch {
          // gone since the listing
        }
      }),
    );
  };
  await walk(publicDir, true);
  return newest;
}

/** fs.promises.opendir (streamed directory reading) with fs.promises.lstat of each file. */
export async function walkOpendir(publicDir) {
  let newest = 0;
  const walk = async (dir, top) => {
    const pending = [];
    let handle;
    try {
      handle = await fs.opendir(dir, { bufferSize: 64 });
    } catch {
      return;
    }
    for await (const e of handle) {
      if (top && e.name === NAMESPACE) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) pending.push(walk(full, false));
      else if (e.isFile())
        pending.push(
          fs.lstat(full).then(
            (s) => void (s.mtimeMs > newest && (newest = s.mtimeMs)),
            () => {},
          ),
        );
    }
    await Promise.all(pending);
  };
  await walk(publicDir, true);
  return newest;
}

/** Synchronous readdirSync(withFileTypes) + lstatSync: no thread pool, no promises. */
export function walkSync(publicDir) {
  let newest = 0;
  const stack = [[publicDir, true]];
  while (stack.length) {
    const [dir, top] = stack.pop();
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (top && e.name === NAMESPACE) continue;
      const full = dir + path.sep + e.name;
      if (e.isDirectory()) stack.push([full, false]);
      else if (e.isFile()) {
        const s = lstatSync(full, { throwIfNoEntry: false });
        if (s && s.mtimeMs > newest) newest = s.mtimeMs;
      }
    }
  }
  return newest;
}

/** Synchronous listing of relative file paths (for the hash baselines). */
export function listSync(publicDir) {
  const out = [];
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop();
    for (const e of readdirSync(path.join(publicDir, rel), { withFileTypes: true })) {
      if (!rel && e.name === NAMESPACE) continue;
      const child = rel ? rel + '/' + e.name : e.name;
      if (e.isDirectory()) stack.push(child);
      else if (e.isFile()) out.push(child);
    }
  }
  return out;
}

/** The same digest as hashToken, computed synchronously: readFileSync + sha256 per file. */
export function hashSync(publicDir) {
  const files = listSync(publicDir).sort();
  const total = createHash('sha256');
  for (const file of files) {
    const digest = createHash('sha256').update(readFileSync(path.join(publicDir, file))).digest('hex');
    total.update(file).update('\0').update(digest).update('\n');
  }
  return total.digest('hex').slice(0, 16);
}

/** hashToken's shape (32 workers) but one fs.promises.readFile per file, without the extra stat. */
export async function hashAsyncNoStat(publicDir) {
  const files = listSync(publicDir).sort();
  const digests = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      digests[i] = createHash('sha256')
        .update(await fs.readFile(path.join(publicDir, files[i])))
        .digest('hex');
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, files.length) }, worker));
  const total = createHash('sha256');
  for (let i = 0; i < files.length; i++) total.update(files[i]).update('\0').update(digests[i]).update('\n');
  return total.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Shell baselines (timed as whole commands, including the spawn of sh).

const prune = `-path public/${NAMESPACE} -prune -o`;
export const FIND_MTIME = `find public ${prune} -type f -printf '%T@\\n' | awk 'BEGIN{m=0} $1>m{m=$1} END{printf "%d\\n", m}'`;
export const SHA256SUM = `find public ${prune} -type f -print0 | xargs -0 sha256sum > /dev/null`;
export const sha256sumParallel = (n) => `find public ${prune} -type f -print0 | xargs -0 -P${n} -n 2000 sha256sum > /dev/null`;
