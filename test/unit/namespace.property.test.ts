// A property test of what the package writes and deletes: random sequences of builds (token folders
// of files and per-file fingerprints, any `keep`), edits in place, replacements, deletions, renames,
// hostile and torn manifests. After every step:
//   - each file served under a fingerprint or token has exactly the bytes that fingerprint or token
//     was made for, in every build that made it (a folder may lack a file, a 404, never hold others);
//   - each file the latest build's URLs name is there, with its bytes;
//   - public/ outside the namespace is exactly what the steps made it, and files beside public/
//     (the app's own, another folder's) are untouched.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { fingerprint } from '../../src/fingerprints.js';
import { MANIFEST } from '../../src/folders-ready.js';
import { hashToken } from '../../src/hash.js';
import { rotate, rotateFingerprints } from '../../src/rotate.js';
import { listFiles } from '../../src/token.js';
import { snapshot, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
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
  | { kind: 'build-files' | 'build-per-file'; keep: number }
  | { kind: 'hostile-manifest'; variant: number }
  | { kind: 'torn-manifest' };

const file = fc.constantFrom(...PATHS);
const content = fc.constantFrom(...CONTENTS);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom('edit-in-place' as const, 'replace' as const), file, content }),
  fc.record({ kind: fc.constant('delete' as const), file }),
  fc.record({ kind: fc.constant('rename' as const), from: file, to: file }),
  fc.record({ kind: fc.constantFrom('build-files' as const, 'build-per-file' as const), keep: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('hostile-manifest' as const), variant: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('torn-manifest' as const) }),
);

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

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
            case 'build-files': {
              const files = await listFiles({ publicDir: pub, namespace: NS });
              const token = await hashToken({ publicDir: pub, namespace: NS, files });
              await rotate({ publicDir: pub, namespace: NS, token, mode: 'build', keep: s.keep, kind: 'files', files });
              const made = new Map(files.map((rel) => [rel, sha(model.get(rel)!)]));
              bytesOf(token, made);
              latest = new Map([...made].map(([rel, digest]) => [`${token}/${rel}`, digest]));
              break;
            }
            case 'build-per-file': {
              const files = await listFiles({ publicDir: pub, namespace: NS });
              const fp = fingerprint(pub, files);
              if (!fp) break; // an empty public/: nothing to fingerprint
              await rotateFingerprints({ publicDir: pub, namespace: NS, folders: fp.folders, rewritten: fp.rewritten, digests: fp.digests, mode: 'build', keep: s.keep });
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
          // Each file in a folder of the namespace has the bytes that folder's name was made for.
          const nsDir = path.join(pub, NS);
          for (const name of await fs.readdir(nsDir).catch(() => [] as string[])) {
            if (name === MANIFEST) continue;
            const made = madeFor.get(name);
            expect(made, `${NS}/${name} was made by no build`).toBeDefined();
            for (const rel of await listFiles({ publicDir: path.join(nsDir, name), namespace: '\0' })) {
              const bytes = await fs.readFile(path.join(nsDir, name, rel));
              expect(sha(bytes), `${NS}/${name}/${rel}`).toBe(made!.get(rel));
            }
          }
          // What the last build's URLs name is there (nothing changed public/ during a build here).
          if (s.kind === 'build-files' || s.kind === 'build-per-file') {
            for (const [key, digest] of latest ?? []) {
              expect(sha(await fs.readFile(path.join(nsDir, key))), key).toBe(digest);
            }
          }
        }
        await fs.rm(app, { recursive: true, force: true });
        await fs.rm(beside, { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
