import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readAppOptions } from './app-options.js';
import { StaticBustError } from '../shared/errors.js';
import { resolveOptions } from '../plugin/options.js';
import { listFiles } from '../build/public-files.js';
import { resolveToken } from '../build/token.js';

const USAGE = `Usage: next-static-bust <command> [options]

Commands:
  token    Print the token that \`next build\` would use now, with the options of the app's
           next.config (the flags below override them); with granularity 'file', each file's
           fingerprint and path, one per line.
  rotate   Create the folder of the token of the last build (.next/), for hosts and Docker
           images that copy public/ without its links or never run next.config at start.

Options:
  --dir <path>          The app's folder (default: the current folder)
  --strategy <name>     mtime, hash or git (token only)
  --namespace <name>    The folder in public/ that holds the links (token only)
  --dist-dir <path>     Next.js' distDir (default: .next) (rotate only)
  -h, --help            Show this help
  -v, --version         Show the version`;

// Which flags each command takes; --dir goes with all.
const FLAGS: Record<string, string[]> = {
  token: ['dir', 'strategy', 'namespace'],
  rotate: ['dir', 'dist-dir'],
};
const WHY_NOT: Record<string, string> = {
  rotate: 'it makes the folder of the token the last build used, with its namespace (read from .next/)',
  token: 'it reads no build',
};

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args.version) {
    console.log(version());
    return 0;
  }
  if (args.help || !args.command) {
    console.log(USAGE);
    return args.command || args.help ? 0 : 1;
  }
  const taken = FLAGS[args.command];
  if (!taken) throw new StaticBustError(`unknown command "${args.command}". Run \`next-static-bust --help\`.`);
  for (const flag of Object.keys(args.flags)) {
    if (!taken.includes(flag)) {
      throw new StaticBustError(`\`${args.command}\` does not take --${flag}: ${WHY_NOT[args.command]}.`);
    }
  }
  // The flags are checked before anything is read.
  const flags = {
    ...(args.flags.strategy !== undefined && { strategy: args.flags.strategy }),
    ...(args.flags.namespace !== undefined && { namespace: args.flags.namespace }),
  };
  resolveOptions(flags);
  const dir = path.resolve(args.flags.dir ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new StaticBustError(`--dir ${args.flags.dir ?? '.'}: ${dir} is not a folder. Pass the app's folder.`);
  }
  const publicDir = path.join(dir, 'public');

  switch (args.command) {
    case 'token': {
      if (!existsSync(publicDir)) {
        throw new StaticBustError(`${publicDir} does not exist, so there is no token. Pass the app's folder with --dir.`);
      }
      const app = await readAppOptions(dir);
      const opts = resolveOptions({
        ...app.options,
        dir: app.options?.dir ? path.resolve(dir, app.options.dir) : dir,
        ...flags,
      });
      const appPublic = path.join(opts.dir, 'public');
      if (opts.granularity === 'file') {
        const { fingerprint } = await import('../build/fingerprints.js');
        // Per-file fingerprints: one line per file (per folder past the limit), as sha256sum prints.
        const files = await listFiles({ publicDir: appPublic, namespace: opts.namespace });
        const fingerprinted = fingerprint(appPublic, files, { basePath: app.basePath });
        if (fingerprinted) {
          for (const [key, fp] of [...fingerprinted.fingerprints].sort(([a], [b]) => (a < b ? -1 : 1))) console.log(`${fp}  ${key}`);
          return 0;
        }
      }
      console.log(await resolveToken({ ...opts, publicDir: appPublic }));
      return 0;
    }
    case 'rotate': {
      // Loaded by this command only: `token` is timed against `find` (npm run bench, section 9).
      const [{ readBuildInfo }, { restore }] = await Promise.all([import('../start/build-info.js'), import('../start/restore.js')]);
      const build = readBuildInfo(dir, args.flags['dist-dir']);
      if (!build) {
        throw new StaticBustError(
          `found no build made with withStaticBust() in ${path.join(dir, args.flags['dist-dir'] ?? '.next')}. ` +
            'Run `next build` first (with withStaticBust() in next.config), or pass --dir / --dist-dir.',
        );
      }
      if (build.serving === 'static') {
        const what = build.fingerprints ? '<fingerprint>' : build.token;
        console.log(
          `nothing to make: this build serves /_next/static/media/${build.namespace}/${what}/ from its own static folder ` +
            '(copy .next/static with the build), not from public/',
        );
        return 0;
      }
      const restored = await restore(build, publicDir);
      if (!restored?.folder) throw new StaticBustError(`${publicDir} does not exist. Pass the app's folder with --dir.`);
      console.log(`${path.relative(process.cwd(), restored.folder) || '.'} is ready (token ${build.token})`);
      return 0;
    }
  }
  return 1;
}

/** The version of this package, from its package.json (up from dist/cjs/cli/ or src/cli/). */
function version(): string {
  for (const candidate of [path.join(__dirname, '../../../package.json'), path.join(__dirname, '../../package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'next-static-bust' && pkg.version) return pkg.version;
    } catch {
      // not there
    }
  }
  return 'unknown';
}

interface Args {
  command?: string | undefined;
  help: boolean;
  version: boolean;
  flags: Record<string, string | undefined>;
}

const ALL_FLAGS = ['dir', 'strategy', 'namespace', 'dist-dir'];

function parse(argv: string[]): Args {
  const args: Args = { help: false, version: false, flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      args.help = true;
    } else if (arg === '-v' || arg === '--version') {
      args.version = true;
    } else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!ALL_FLAGS.includes(name)) {
        throw new StaticBustError(`unknown option --${name}. Run \`next-static-bust --help\`.`);
      }
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') {
        throw new StaticBustError(`--${name} needs a value, as in --${name} <value>.`);
      }
      args.flags[name] = value;
    } else if (!args.command) {
      args.command = arg;
    } else {
      throw new StaticBustError(`unexpected argument "${arg}". Run \`next-static-bust --help\`.`);
    }
  }
  return args;
}
