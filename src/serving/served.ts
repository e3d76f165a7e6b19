// What a build busts and what it serves: the types that the plan, each way of serving, the config
// wrapper and the start share.
import type { FileStates } from '../build/file-state.js';
import type { Fingerprinted } from '../build/fingerprints.js';
import type { TopLevel } from '../plugin/bust-routes.js';

export type Serving = 'links' | 'static';

/** What a build or start serves. */
export interface Served {
  serving: Serving;
  /** The token the HTML uses. */
  current: string;
  /** Every token whose busted URLs answer with files, oldest first. */
  served: string[];
  /** The top-level files and folders of `public/`. */
  entries: TopLevel;
  /**
   * `granularity: 'file'`: the fingerprints, encoded for bust() (runtime/fingerprint-map.ts); `current` is
   * then empty and `served` lists the fingerprints whose busted URLs answer with files.
   */
  fingerprints?: string;
  /** The `integrity` of the scripts and stylesheets the app asks for, encoded (runtime/integrity.ts). */
  integrity?: string;
}

/**
 * What a build busts: one token, made from `files` (with what each file was then, so that copies
 * made later can be checked), or, with `granularity: 'file'`, per-file fingerprints.
 */
export type Content = TokenContent | { fingerprinted: Fingerprinted };
export type TokenContent = { token: string; files: string[]; states: FileStates };

