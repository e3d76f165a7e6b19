// What a build can tell before it writes anything, and says: references to files that do not
// exist, stylesheets whose root-absolute url() escapes busting, a token that changes at every
// fresh clone in CI.
import { StaticBustError, warnOnce } from '../../shared/errors.js';
import { cloneBuild, TOKEN_ENV, type ResolvedOptions } from '../../plugin/options.js';
import type { NamedPath } from '../app-sources.js';
import { findRootAbsoluteUrls } from './css-urls.js';
import { findMissingReferences } from './missing-files.js';

export interface BeforeBuild {
  opts: ResolvedOptions;
  publicDir: string;
  /** The listing of public/. */
  files: string[];
  /** The paths of public/ that the app's sources write out in full. */
  named: NamedPath[];
  /** The token comes from modification times: neither per file, nor set, nor another strategy. */
  fromTimes: boolean;
  /** Per-file fingerprints, whose copies have root-absolute references rewritten. */
  perFile: boolean;
}

/**
 * What a build can tell before it writes anything: references to files that do not exist,
 * stylesheets whose root-absolute url() escapes busting, and a token that changes
 * at every fresh clone in CI.
 */
export async function checkBeforeBuild({ opts, publicDir, files, named, fromTimes, perFile }: BeforeBuild): Promise<void> {
  const missing = findMissingReferences(named, files, opts.namespace);
  if (missing.length > 0) {
    const list = missing
      .map((m) => `  ${m.where}: ${m.path}${m.suggestion ? ` (did you mean ${m.suggestion}?)` : ''}`)
      .join('\n');
    const message =
      `${missing.length === 1 ? 'a path' : `${missing.length} paths`} given to bust() or <BustedAsset> ` +
      `name${missing.length === 1 ? 's' : ''} no file in public/:\n${list}\n` +
      'Their busted URLs answer 404. Fix the path, or add the file to public/.';
    if (opts.missing === 'error') {
      throw new StaticBustError(`${message} (The build stops because of \`missing: 'error'\`.)`);
    }
    warnOnce('missing', `${message} Set \`missing: 'error'\` to stop the build instead.`);
  }
  const urls = perFile ? [] : findRootAbsoluteUrls(publicDir, files);
  if (urls.length > 0) {
    warnOnce(
      'css-urls',
      `${urls.length === 1 ? 'a stylesheet refers' : 'stylesheets refer'} to files of public/ by a ` +
        'root-absolute url(), which escapes busting (the file is asked for again on every visit, and a ' +
        `change to it does not reach browsers that keep the stylesheet):\n` +
        urls.map((u) => `  public/${u.stylesheet}: ${u.url} → make it ${u.relative}`).join('\n') +
        '\nA relative url() resolves under the same token, so it is busted with the stylesheet. With ' +
        "`granularity: 'file'`, root-absolute ones are rewritten to the file's busted URL too.",
    );
  }
  const ci = cloneBuild();
  if (fromTimes && ci) {
    warnOnce(
      'ci-mtime',
      `${ci} and \`strategy: "mtime"\` is set: a fresh clone gives every file the time of the clone, so ` +
        'every deploy changes every URL and returning visitors download every file again. Leave the ' +
        'strategy out (here the default is "hash"), or set it to "hash" or "git", or set ' +
        `${TOKEN_ENV} to a commit or release id.`,
    );
  }
}
