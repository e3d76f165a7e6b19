// `npm run example`: builds example-app with next-static-bust and serves it with `next start`.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('../example-app/', import.meta.url));
const next = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url));
const port = process.env.PORT || '3000';

const build = spawnSync(process.execPath, [next, 'build'], { cwd: app, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

console.log(`\nexample-app: http://localhost:${port}  (Ctrl+C to stop)\n`);
const server = spawn(process.execPath, [next, 'start', '-p', port], { cwd: app, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
