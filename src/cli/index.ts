// The CLI's entry point: `node dist/cli/index.js …` (what bin/ucupdates.js runs), or through tsx in development.
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
