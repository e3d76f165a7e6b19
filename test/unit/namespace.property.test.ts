// A property test of what the package writes and deletes: random sequences of builds (token folders
// of links in public/ with any `keep`; copies in the build's static folder, for a content token or
// per-file fingerprints), edits in place, replacements, deletions, renames, hostile and torn
// manifests, link rotations running at once and a rotating process killed at a random moment. After
// every step:
//   - each file served from the static folder under a fingerprint or token has exactly the bytes that
//     fingerprint or token was made for, in every build that made it (a folder may lack a file, a
//     404, never hold others);
//   - each file the latest static build's URLs name is there, with its bytes;
//   - a token folder in public/ holds nothing but links to the top-level entries of public/, and a
//     build leaves no half-made folder or link behind (a killed process's are cleaned up);
//   - public/ outside the namespace is exactly what the steps made it, and files beside public/
//     (the app's own, another folder's) are untouched.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { fingerprint } from '../../src/build/fingerprints.js';
import { MANIFEST } from '../../src/namespace/manifest.js';
import { hashToken } from '../../src/build/hash.js';
import { NO_ENTRIES } from '../../src/plugin/bust-routes.js';
import { rotate } from '../../src/namespace/rotate.js';
import type { FileStates } from '../../src/build/file-state.js';
import type { ResolvedOptions } from '../../src/plugin/options.js';
import { serveStatic, writeStaticCopies } from '../../src/serving/serve-static.js';
import { listFiles } from '../../src/build/public-files.js';
import { fileURLToPath } from 'node:url';
import { snapshot, useCjsBuild, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const lib = useCjsBuild();
const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rotate-child.cjs');
const NS = '_bust';
const PATHS = ['a.txt', 'css/site.css', 'img/bg.png', 'js/app.js', 'js/util.js'] as const;
// Contents that refer to each other, so that per-file builds rewrite references.
const CONTENTS = [
  'plain',
  'other bytes',
  'body { background: url(../img/bg.png) }',
  "import './util.js'; export const x = 1;",
  'export const util = 2;',
  '',
];

type Step =
  | { kind: 'edit-in-place' | 'replace'; file: (typeof PATHS)[number]; content: string }
  | { kind: 'delete'; file: (typeof PATHS)[number] }
  | { kind: 'rename'; from: (typeof PATHS)[number]; to: (typeof PATHS)[number] }
  | { kind: 'build-links' | 'build-per-file'; keep: number }
  // `during`: a generator writes into public/ between next.config (the token) and the copies.
  | { kind: 'build-static'; keep: number; during: { file: (typeof PATHS)[number]; content: string } | null }
  | { kind: 'concurrent-links'; keep: number }
  | { kind: 'killed-links'; after: number }
  | { kind: 'hostile-manifest'; variant: number }
  | { kind: 'torn-manifest' };

const file = fc.constantFrom(...PATHS);
const content = fc.constantFrom(...CONTENTS);
// Builds and writes into public/ are the steps that can break the promise together, so they come
// most often.
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom('edit-in-place' as const, 'replace' as const), file, content }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), file }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('rename' as const), from: file, to: file }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constantFrom('build-links' as const, 'build-per-file' as const), keep: fc.integer({ min: 0, max: 2 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('build-static' as const), keep: fc.constant(1), during: fc.option(fc.record({ file, content })) }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('concurrent-links' as const), keep: fc.integer({ min: 0, max: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('killed-links' as const), after: fc.integer({ min: 0, max: 40 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('hostile-manifest' as const), variant: fc.integer({ min: 0, max: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('torn-manifest' as const) }), weight: 1 },
);

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A process rotating tokens in a loop (test/fixtures/rotate-child.cjs), killed `after` ms once it is loaded. */
async function killedWhileRotating(publicDir: string, after: number): Promise<void> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify({ lib: lib(), publicDir, namespace: NS, token: 'k', keep: 1, loop: true })], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, after));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function exists(file: string): Promise<boolean> {
  return (await fs.lstat(file).catch(() => undefined)) !== undefined;
}

describe('the namespace under random builds, edits and hostile manifests', () => {
  it('serves each fingerprint and token with exactly its bytes, and touches nothing of the user', async () => {
    const root = await tmp('nsb-prop-');
    let run = 0;
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const app = path.join(root, `run-${run++}`);
        const pub = path.join(app, 'public');
        const dist = path.join(app, '.next');
        const beside = path.join(root, `beside-${run}`);
        await fs.mkdir(path.join(pub, 'css'), { recursive: true });
        await fs.mkdir(beside);
        await fs.writeFile(path.join(app, 'next.config.mjs'), 'export default {}');
        await fs.writeFile(path.join(beside, 'victim.txt'), 'precious');
        const model = new Map<string, string>([['css/site.css', CONTENTS[2]!], ['img/bg.png', 'plain']]);
        for (const [rel, text] of model) {
          await fs.mkdir(path.dirname(path.join(pub, rel)), { recursive: true });
          await fs.writeFile(path.join(pub, rel), text);
        }
        // Every folder name made so far → the SHA-256 of each file as it was made for it.
        const madeFor = new Map<string, Map<string, string>>();
        let latest: Map<string, string> | undefined; // `<folder>/<file>` → digest, of the last build
        const bytesOf = (name: string, files: Map<string, string>) => {
          const known = madeFor.get(name);
          if (!known) madeFor.set(name, new Map(files));
          else {
            // The same name must never stand for other bytes, whatever happened between the builds.
            for (const [rel, digest] of files) {
              if (known.has(rel)) expect(known.get(rel), `${name}/${rel} made again with other bytes`).toBe(digest);
              else known.set(rel, digest);
            }
          }
        };

        for (const s of steps) {
          switch (s.kind) {
            case 'edit-in-place': {
              const full = path.join(pub, s.file);
              if (!model.has(s.file)) break;
              const handle = await fs.open(full, 'r+'); // same inode, as cp onto a file or a generator
              await handle.truncate(0);
              await handle.write(s.content, 0);
              await handle.close();
              model.set(s.file, s.content);
              break;
            }
            case 'replace': {
              const full = path.join(pub, s.file);
              await fs.mkdir(path.dirname(full), { recursive: true });
              await fs.writeFile(`${full}.new`, s.content);
              await fs.rename(`${full}.new`, full); // a new inode, as editors and git checkout
              model.set(s.file, s.content);
              break;
            }
            case 'delete':
              if (model.delete(s.file)) await fs.rm(path.join(pub, s.file));
              break;
            case 'rename': {
              if (!model.has(s.from) || s.from === s.to) break;
              await fs.mkdir(path.dirname(path.join(pub, s.to)), { recursive: true });
              await fs.rename(path.join(pub, s.from), path.join(pub, s.to));
              model.set(s.to, model.get(s.from)!);
              model.delete(s.from);
              break;
            }
            case 'build-links': {
              const files = await listFiles({ publicDir: pub, namespace: NS });
              const token = await hashToken({ publicDir: pub, namespace: NS, files });
              await rotate({ publicDir: pub, namespace: NS, token, keep: s.keep });
              break;
            }
            case 'concurrent-links': {
              // next.config evaluated twice at once (Turbopack), or two builds of different bytes.
              const files = await listFiles({ publicDir: pub, namespace: NS });
              const token = await hashToken({ publicDir: pub, namespace: NS, files });
              await Promise.all([token, `${token}-b`, token].map((t) => rotate({ publicDir: pub, namespace: NS, token: t, keep: s.keep })));
              break;
            }
            case 'killed-links':
              await killedWhileRotating(pub, s.after);
              break;
            case 'build-static': {
              // next.config makes the token and remembers what each file was (serve-static.ts)…
              const files = await listFiles({ publicDir: pub, namespace: NS });
              const states: FileStates = new Map();
              const token = await hashToken({ publicDir: pub, namespace: NS, files, states });
              const served = await serveStatic({ namespace: NS } as ResolvedOptions, pub, { token, files, states });
              const made = new Map(files.map((rel) => [rel, sha(model.get(rel)!)]));
              // …a generator may write into public/ meanwhile (in place, the same inode)…
              if (s.during && model.has(s.during.file)) {
                const handle = await fs.open(path.join(pub, s.during.file), 'r+');
                await handle.truncate(0);
                await handle.write(s.during.content, 0);
                await handle.close();
                if (model.get(s.during.file) !== s.during.content) made.delete(s.during.file); // its URL is a 404
                model.set(s.during.file, s.during.content);
              }
              // …and the copies are made after compiling.
              await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served });
              bytesOf(token, made);
              latest = new Map([...made].map(([rel, digest]) => [`${token}/${rel}`, digest]));
              break;
            }
            case 'build-per-file': {
              const files = await listFiles({ publicDir: pub, namespace: NS });
              const fp = fingerprint(pub, files);
              if (!fp) break; // an empty public/: nothing to fingerprint
              await writeStaticCopies({ distDir: dist, publicDir: pub, opts: { namespace: NS, strategy: 'hash' }, served: { serving: 'static', current: '', served: Object.keys(fp.folders), entries: NO_ENTRIES, fingerprints: fp.encoded } });
              // What each folder must serve, from the test's own model: the rewritten copy where the
              // build rewrote references, else the file's bytes as the steps left them.
              latest = new Map();
              for (const [folder, held] of Object.entries(fp.folders)) {
                const made = new Map(held.map((rel) => [rel, sha(fp.rewritten.get(`${folder}/${rel}`) ?? model.get(rel)!)]));
                bytesOf(folder, made);
                for (const [rel, digest] of made) latest.set(`${folder}/${rel}`, digest);
              }
              break;
            }
            case 'hostile-manifest': {
              if (!(await exists(path.join(pub, NS)))) break;
              const bad = [
                { generator: 'next-static-bust', tokens: ['..', '../..', 'ok'], files: { '..': ['public/a.txt'] } },
                // Absolute entries are tried in namespace-safety.test.ts, in a child process.
                { generator: 'next-static-bust', tokens: ['x'], files: { x: ['../../a.txt', '../../../next.config.mjs', `../../../../${path.basename(beside)}/victim.txt`] } },
                { generator: 'next-static-bust', tokens: ['y'], files: { y: ['css/../../../a.txt', './../../a.txt'] }, builds: [['..'], ['y']] },
                { generator: 'next-static-bust', tokens: 'not a list' },
              ][s.variant];
              await fs.writeFile(path.join(pub, NS, MANIFEST), JSON.stringify(bad));
              break;
            }
            case 'torn-manifest':
              if (await exists(path.join(pub, NS))) await fs.writeFile(path.join(pub, NS, MANIFEST), '{"generator": "next-static-bust", "tok');
              break;
          }

          // The user's files are what the steps made them; nothing beside public/ changed.
          const user = Object.entries(await snapshot(pub)).filter(([rel, node]) => rel !== NS && !rel.startsWith(`${NS}/`) && node.type === 'file');
          expect(Object.fromEntries(user.map(([rel, node]) => [rel, (node as { content: string }).content]))).toEqual(Object.fromEntries(model));
          expect(await fs.readFile(path.join(app, 'next.config.mjs'), 'utf8')).toBe('export default {}');
          expect(await fs.readFile(path.join(beside, 'victim.txt'), 'utf8')).toBe('precious');
          // A token folder in public/ holds links to the top-level entries of public/, nothing else;
          // half-made ones (a killed process's) hold links of the same form, and a build removes them.
          const nsDir = path.join(pub, NS);
          for (const name of await fs.readdir(nsDir).catch(() => [] as string[])) {
            if (name === MANIFEST) continue;
            if (s.kind === 'build-links') expect(name, 'a leftover after a build').not.toMatch(/^\.nsb-tmp-/);
            const stat = await fs.lstat(path.join(nsDir, name));
            if (!stat.isDirectory()) {
              expect(name, `${NS}/${name} is not a folder`).toMatch(/^\.nsb-tmp-/); // a half-written manifest
              continue;
            }
            for (const entry of await fs.readdir(path.join(nsDir, name))) {
              const target = await fs.readlink(path.join(nsDir, name, entry)).catch(() => 'not a link');
              if (s.kind === 'build-links') expect(entry, 'a leftover after a build').not.toMatch(/^\.nsb-tmp-/);
              if (entry.startsWith('.nsb-tmp-')) expect(target, `${NS}/${name}/${entry}`).toMatch(/^\.\.\/\.\.\/[^/]+$/);
              else expect(target, `${NS}/${name}/${entry}`).toBe(path.join('..', '..', entry));
            }
          }
          // Each file in a folder of the static folder has the bytes that folder's name was made for.
          const staticDir = path.join(dist, 'static/media', NS);
          for (const name of await fs.readdir(staticDir).catch(() => [] as string[])) {
            const made = madeFor.get(name);
            expect(made, `static/media/${NS}/${name} was made by no build`).toBeDefined();
            for (const rel of await listFiles({ publicDir: path.join(staticDir, name), namespace: '\0' })) {
              const bytes = await fs.readFile(path.join(staticDir, name, rel));
              expect(sha(bytes), `static/media/${NS}/${name}/${rel}`).toBe(made!.get(rel));
            }
          }
          // What the last static build's URLs name is there (all but a file a generator changed).
          if (s.kind === 'build-static' || s.kind === 'build-per-file') {
            for (const [key, digest] of latest ?? []) {
              expect(sha(await fs.readFile(path.join(staticDir, key))), key).toBe(digest);
            }
          }
        }
        await fs.rm(app, { recursive: true, force: true });
        await fs.rm(beside, { recursive: true, force: true });
      }),
      {
        // Under StrykerJS (npm run test:mutation) each mutant gets fewer random runs; the examples always run.
        numRuns: process.env.NSB_MUTATION ? 15 : 60,
        // Always tried: a file written in place after each kind of static build (hard links fail here).
        examples: [
          [[{ kind: 'build-static', keep: 1, during: null }, { kind: 'edit-in-place', file: 'img/bg.png', content: 'other bytes' }]],
          // A generator during a build, then a build of the bytes the token was first made from.
          [[{ kind: 'build-static', keep: 1, during: { file: 'img/bg.png', content: 'other bytes' } }, { kind: 'edit-in-place', file: 'img/bg.png', content: 'plain' }, { kind: 'build-static', keep: 1, during: null }]],
          [[{ kind: 'build-per-file', keep: 1 }, { kind: 'edit-in-place', file: 'css/site.css', content: 'plain' }]],
          // Found by this test: a build whose folder another build expires meanwhile (keep: 0) failed with ENOENT.
          [[{ kind: 'concurrent-links', keep: 0 }]],
        ],
      },
    );
  }, 120_000);
});
