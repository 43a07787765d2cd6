// Child process: the baseline, a bare node:http server on 127.0.0.1 with no logic at all. Reports {type: 'ready', http}
// over IPC and exits on {type: 'stop'} or when its parent goes away.
//   fixed <file>: reads every request body fully, then answers 200 with the bytes of <file> (our server's real answer),
//                 with the headers our server sends for it (text/xml; charset=utf-8, Content-Length, Cache-Control).
//   file <file>:  answers every request with <file>, piped from fs.createReadStream (Content-Length from stat).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const [mode, file] = process.argv.slice(2);
if ((mode !== 'fixed' && mode !== 'file') || !file || !process.send) {
  console.error('usage (from a benchmark, with an IPC channel): bare-child.ts fixed|file <file>');
  process.exit(2);
}

let handler: (req: IncomingMessage, res: ServerResponse) => void;
if (mode === 'fixed') {
  const body = readFileSync(file);
  const headers = { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-cache' };
  handler = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Buffer.concat(chunks); // the body is read in full, as our server does before answering
      res.writeHead(200, headers);
      res.end(body);
    });
  };
} else {
  const size = statSync(file).size;
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    createReadStream(file).pipe(res);
  };
}

const server = createServer(handler);
server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'ready', http: (server.address() as AddressInfo).port });
});
const stop = (code: number) => {
  server.closeAllConnections();
  server.close(() => process.exit(code));
  setTimeout(() => process.exit(code), 2000).unref();
};
process.on('message', (m) => {
  if ((m as { type?: string }).type === 'stop') stop(0);
});
process.on('disconnect', () => stop(1));
process.on('SIGTERM', () => stop(0));
