// The files of public/ that a build busts: its regular files, as `/`-separated relative paths,
// without the namespace folder and the hosts' rule files.
import { walkFiles } from './walk.js';
import { RULE_FILES } from '../shared/rule-files.js';
import type { FileStates } from './file-state.js';


export interface ScanOptions {
  /** The `public/` folder. */
  publicDir: string;
  /** The package's own folder inside `public/` (its links must not change the token). */
  namespace: string;
  /** The listing of `public/` (`listFiles()`), when the caller has made it already. */
  files?: string[] | undefined;
  /**
   * Filled, when given, with what each file was as the token was made from it (file-state.ts): its
   * digest (`hash`) or its lstat (`mtime`). Copies made later are checked against it.
   */
  states?: FileStates | undefined;
}

/**
 * The regular files under `public/`, as `/`-separated relative paths: symlinks are neither listed
 * nor followed, dot files are, and the namespace folder and the hosts' rule files are left out.
 *
 * A synchronous walk (walk.ts), on purpose: it runs once, inside next.config, before the build
 * starts, where per-file promises and thread-pool round trips would dominate (bench/ANALYSIS.md).
 */
export async function listFiles(opts: ScanOptions): Promise<string[]> {
  return walkFiles({ publicDir: opts.publicDir, skipTop: skipTop(opts) });
}

// The hosts' rule files at the top are configuration, not assets, and the build writes its own
// block into them: counted, they would give every build a new token.
export const skipTop = (opts: ScanOptions): string[] => [opts.namespace, ...RULE_FILES];

