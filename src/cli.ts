import path from 'node:path';
import { readBuildInfo } from './build-info.js';
import { StaticBustError } from './errors.js';
import { resolveOptions } from './options.js';
import { rotate } from './rotate.js';
import { resolveToken } from './token.js';

const USAGE = `Usage: next-static-bust <command> [options]

Commands:
  token    Print the token that \`next build\` would use now.
  rotate   Create the links for the token of the last build (.next/), for hosts and Docker
           images that copy public/ without its links or never run next.config at start.

Options:
  --dir <path>          The app's folder (default: the current folder)
  --strategy <name>     mtime (default), hash or git (token only)
  --namespace <name>    The folder in public/ that holds the links (default: _bust)
  --dist-dir <path>     Next.js' distDir (default: .next) (rotate only)
  -h, --help            Show this help`;

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args.help || !args.command) {
    console.log(USAGE);
    return args.command || args.help ? 0 : 1;
  }
  const opts = resolveOptions({
    dir: args.flags.dir,
    ...(args.flags.strategy !== undefined && { strategy: args.flags.strategy }),
    ...(args.flags.namespace !== undefined && { namespace: args.flags.namespace }),
  });
  const publicDir = path.join(opts.dir, 'public');

  switch (args.command) {
    case 'token': {
      console.log(await resolveToken({ ...opts, publicDir }));
      return 0;
    }
    case 'rotate': {
      const build = readBuildInfo(opts.dir, args.flags['dist-dir']);
      if (!build) {
        throw new StaticBustError(
          `found no build made with withStaticBust() in ${path.join(opts.dir, args.flags['dist-dir'] ?? '.next')}. ` +
            'Run `next build` first (with withStaticBust() in next.config), or pass --dir / --dist-dir.',
        );
      }
      const result = await rotate({
        publicDir,
        namespace: build.namespace,
        token: build.token,
        keep: opts.keep,
        mode: 'start',
      });
      if (result.status === 'missing-public') {
        throw new StaticBustError(`${publicDir} does not exist. Pass the app's folder with --dir.`);
      }
      console.log(`${path.relative(process.cwd(), result.dir) || '.'} is ready (token ${build.token})`);
      return 0;
    }
    default:
      throw new StaticBustError(`unknown command "${args.command}". Run \`next-static-bust --help\`.`);
  }
}

interface Args {
  command?: string | undefined;
  help: boolean;
  flags: Record<string, string | undefined>;
}

const FLAGS = ['dir', 'strategy', 'namespace', 'dist-dir'];

function parse(argv: string[]): Args {
  const args: Args = { help: false, flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      args.help = true;
    } else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!FLAGS.includes(name)) {
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
