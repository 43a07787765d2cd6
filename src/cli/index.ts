// The CLI's entry point: `node dist/cli/index.js …` (what bin/ucupdates.js runs), or through tsx in development.
// `--version` alone needs nothing but the version: it is answered as commander would, before commander and the
// commands are loaded (scripts and monitoring call it; it starts in about Node's own start-up time).
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const { APP_VERSION } = await import('../server/version.js');
  process.stdout.write(`${APP_VERSION}\n`);
} else {
  const { runCli } = await import('./main.js');
  process.exitCode = await runCli(argv);
}
