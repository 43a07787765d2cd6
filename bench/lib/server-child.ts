// Child process: our server (startServer) on a prepared data folder, all ports 0. Reports its ports over IPC
// ({type: 'ready', http, https, admin}); on {type: 'stop'} it closes the server (flushing the logs) and exits.
// Exits as well when the benchmark that started it goes away. With a pool URL it is a pool node (bench/pool.ts).
// BENCH_PHONE_WORKERS=N gives it N phone workers (phone-workers/), as `ucupdates serve --phone-workers N` does.
//   node --import tsx bench/lib/server-child.ts <dataDir> [postgres://...]
import { startServer } from '../../src/server/compose.js';
import { createAppLog } from '../../src/server/infra/app-log.js';

const dataDir = process.argv[2];
const pool = process.argv[3];
if (!dataDir || !process.send) {
  console.error('usage (from a benchmark, with an IPC channel): server-child.ts <dataDir>');
  process.exit(2);
}

const server = await startServer({
  dataDir,
  pool,
  overrides: { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: '127.0.0.1' },
  log: createAppLog({ level: process.env.BENCH_SERVER_LOG_LEVEL ?? 'error' }),
  consoleDir: '/nonexistent-console-dir',
  phoneWorkers: Number(process.env.BENCH_PHONE_WORKERS ?? 0),
});
const port = (url: string) => Number(new URL(url).port);

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(code), 10_000);
  timer.unref();
  try {
    await server.close();
  } finally {
    process.exit(code);
  }
}

process.on('message', (m) => {
  if ((m as { type?: string }).type === 'stop') void stop(0);
});
process.on('disconnect', () => void stop(1));
process.on('SIGTERM', () => void stop(0));
process.send({ type: 'ready', http: port(server.urls.http), https: port(server.urls.https), admin: port(server.urls.admin) });
