#!/usr/bin/env node
import { PREFIX } from './shared/errors.js';
import { main } from './cli/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(message.startsWith(PREFIX) ? message : `${PREFIX} ${message}`);
    process.exitCode = 1;
  },
);
