import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { encodeFingerprints, FINGERPRINT_LENGTH } from '../runtime/fingerprint-map.js';
import { hashFile, warnUnreadable } from './hash.js';
import { readOrUndefined, sriOf } from './integrity.js';
import { references, rewrite, type Reference } from './references.js';

// `granularity: 'file'`: each file of public/ gets a URL of its own, /<namespace>/<fingerprint>/<path>,
// that changes only when the file does, as in Propshaft, Vite or Django's manifest storage.
//
// A stylesheet, module or web app manifest refers to other files of public/ by relative or
// root-absolute URLs (url(../img/bg.png), url(/img/bg.png), import './util.js', an icon's src). As
// Propshaft does, the copy served under the fingerprint has each such reference rewritten to the
// other file's own busted URL (relative, so a basePath or an asset host keeps working): the
// browser fetches and caches the image once, whether a stylesheet or bust() asked for it, and the
// stylesheet's fingerprint, a digest of the rewritten copy, changes whenever the image's does.
// public/ itself is never rewritten.
//
// Files that refer to each other in a cycle cannot each name the other's fingerprint: they share
// one, keep their references as written, and are served from the same folder.

export type Granularity = 'file' | 'folder';

export interface Fingerprinted {
  granularity: Granularity;
  /** A file path (`css/site.css`), or a folder path ending in `/` (`css/`, the root is `/`), to its fingerprint. */
  fingerprints: Map<string, string>;
  /** Each fingerprint to the files that its folder holds, sorted. */
  folders: Record<string, string[]>;
  /**
   * The files whose copy under a fingerprint differs from public/ (references rewritten), by
   * `<fingerprint>/<path>`. Every other file of a folder is a copy of the one in public/.
   */
  rewritten: Map<string, Buffer>;
  /**
   * The SHA-256 of each file's bytes as fingerprinted (the rewritten copy's where there is one), by
   * `<fingerprint>/<path>`: a folder serves a file only when its copy has exactly these bytes.
   */
  digests: Map<string, string>;
  /** `fingerprints` as bust() reads it (see fingerprint-map.ts). */
  encoded: string;
  /** The `integrity` of the files asked for, from the bytes their busted URL serves, by path. */
  integrity: Map<string, string>;
}

/**
 * Past this many files, fingerprints are per folder, and past this many folders, one token for
 * all: the map goes into the client JavaScript, and grows with each entry (what it weighs:
 * `npm run bench`, section 7).
 */
export const MAX_ENTRIES = 1000;

export interface FingerprintOptions {
  /** Used whatever the count (after compiling, to make the build's fingerprints again). */
  forced?: Granularity | undefined;
  /** Past this many files per folder, past this many folders one token. */
  max?: number;
  /** next.config's `basePath`: a root-absolute reference names a file of public/ only under it. */
  basePath?: string;
  /** The files whose `integrity` to compute, from the same bytes as their fingerprint. */
  integrity?: Set<string>;
}

/**
 * Fingerprints for `files` of `publicDir` (as `listFiles()` gives them): per file, else per folder
 * (past `max` files), else undefined (past `max` folders: use one token).
 */
export function fingerprint(
  publicDir: string,
  files: string[],
  { forced, max = MAX_ENTRIES, basePath = '', integrity: wanted = new Set() }: FingerprintOptions = {},
): Fingerprinted | undefined {
  const granularity: Granularity = forced ?? (files.length <= max ? 'file' : 'folder');
  const unitOf = (file: string) => (granularity === 'file' ? file : file.slice(0, file.lastIndexOf('/') + 1) || '/');
  const units = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const key = unitOf(file);
    const unit = units.get(key);
    if (unit) unit.push(file);
    else units.set(key, [file]);
  }
  if (!forced && granularity === 'folder' && units.size > max) return undefined;

  const known = new Set(files);
  const refs = new Map<string, Reference[]>();
  for (const file of files) refs.set(file, references(publicDir, file, known, basePath));

  const fingerprints = new Map<string, string>();
  const folders: Record<string, string[]> = {};
  const rewritten = new Map<string, Buffer>();
  const digests = new Map<string, string>();
  const integrity = new Map<string, string>();
  const unreadable: string[] = [];
  const buffer = Buffer.allocUnsafe(1 << 20);
  // Each group of units that refer to each other gets one fingerprint; a group is done after every
  // group it refers to, so their fingerprints are known when its references are rewritten.
  for (const group of cycles(units, (key) => units.get(key)!.flatMap((f) => refs.get(f)!.map((r) => unitOf(r.target))))) {
    const inGroup = new Set(group);
    const held: string[] = [];
    const contents = new Map<string, Buffer>();
    const fileDigests = new Map<string, string>();
    const hash = createHash('sha256');
    // A reference within the group stays as written when relative (the group shares a folder);
    // a root-absolute one is made relative, or it would leave the folder.
    const ownFingerprint = (target: string) => (inGroup.has(unitOf(target)) ? undefined : fingerprints.get(unitOf(target))!);
    for (const file of group.flatMap((key) => units.get(key)!).sort()) {
      const toRewrite = refs.get(file)!.filter((r) => r.absolute || !inGroup.has(unitOf(r.target)));
      const content = toRewrite.length > 0 ? rewrite(publicDir, file, toRewrite, ownFingerprint) : undefined;
      if (content) contents.set(file, content);
      // Read whole when its integrity is wanted: the fingerprint and the integrity of the same bytes.
      const bytes = content ?? (wanted.has(file) ? readOrUndefined(path.join(publicDir, file)) : undefined);
      const digest = bytes ? createHash('sha256').update(bytes).digest('hex') : hashFile(path.join(publicDir, file), buffer);
      if (bytes && wanted.has(file)) integrity.set(file, sriOf(bytes));
      if (digest === undefined) {
        // Gone since the listing, or unreadable: no fingerprint, so bust() leaves its path plain.
        if (existsSync(path.join(publicDir, file))) unreadable.push(file);
        continue;
      }
      held.push(file);
      fileDigests.set(file, digest);
      hash.update(file).update('\0').update(digest).update('\n');
    }
    if (held.length === 0) continue;
    const fp = base32(hash.digest());
    for (const key of group) fingerprints.set(key, fp);
    // Two groups with the same files and contents (identical files at the same path cannot be):
    // the same folder.
    folders[fp] = held;
    for (const [file, content] of contents) rewritten.set(`${fp}/${file}`, content);
    for (const [file, digest] of fileDigests) digests.set(`${fp}/${file}`, digest);
  }
  if (unreadable.length > 0) warnUnreadable(unreadable);
  return { granularity, fingerprints, folders, rewritten, digests, integrity, encoded: encodeFingerprints(fingerprints) };
}

/**
 * The strongly connected components of the graph of `nodes` (Tarjan's algorithm), each as a list
 * of nodes, in the order in which a component comes after every component it has an edge to.
 * Iterative, so that a long chain of imports cannot overflow the stack.
 */
function cycles(nodes: Map<string, unknown>, edges: (node: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of nodes.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; targets: string[]; i: number }> = [];
    const open = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...new Set(edges(node))].filter((t) => t !== node && nodes.has(t)), i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.targets.length) {
        const target = frame.targets[frame.i++]!;
        if (!index.has(target)) open(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let node: string;
        do {
          node = stack.pop()!;
          onStack.delete(node);
          component.push(node);
        } while (node !== frame.node);
        out.push(component.sort());
      }
    }
  }
  return out;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** The first FINGERPRINT_LENGTH × 5 bits of `bytes`, in lowercase base32. */
function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < FINGERPRINT_LENGTH) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === FINGERPRINT_LENGTH) break;
  }
  return out;
}
