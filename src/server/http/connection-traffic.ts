// What a request and its answer took on their connection, for the access log's cs-bytes and sc-bytes: the socket's
// own counters since the previous request on the same (keep-alive) connection was logged. So a download cut short
// counts what went out before the connection closed; a HEAD, a 304 or a 206 what they really sent. (A TLS socket
// counts the HTTP bytes inside the encryption.) A closed socket forgets its own address, so it is kept here too.
import type { Socket } from 'node:net';

interface Connection {
  read: number;
  written: number;
  localAddress: string;
  localPort: number;
}

export interface RequestTraffic {
  received: number;
  sent: number;
  /** The server's end of the connection (s-ip, s-port). */
  localAddress: string;
  localPort: number;
}

const connections = new WeakMap<Socket, Connection>();

/** Starts tracking a connection while it is open: for a request whose line is written when it ends (a download). */
export function trackConnection(socket: Socket): void {
  connection(socket);
}

/** The bytes received and sent since the last call for this connection (or since it opened), and its server end. */
export function requestTraffic(socket: Socket): RequestTraffic {
  const c = connection(socket);
  // bytesWritten includes what is still buffered in the socket: a small answer ended just now counts.
  const read = socket.bytesRead;
  const written = socket.bytesWritten ?? Number.NaN;
  const traffic = { received: read - c.read, sent: written - c.written, localAddress: c.localAddress, localPort: c.localPort };
  c.read = read;
  c.written = written;
  return traffic;
}

function connection(socket: Socket): Connection {
  let c = connections.get(socket);
  if (!c) {
    c = { read: 0, written: 0, localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0 };
    connections.set(socket, c);
  }
  return c;
}
