// The phone listener on its own, on a loopback port, with a handler that answers every request at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createPhoneListener, type PhoneListenerOptions } from '../../src/server/http/phone-listener.js';

const LIMITS: PhoneListenerOptions['settings'] = { phoneHeadersTimeoutS: 5, phoneRequestTimeoutS: 5, phoneIdleTimeoutS: 1, phoneMaxConnections: 100, phoneMaxConnectionsPerAddress: 2 };

async function listener(settings: Partial<PhoneListenerOptions['settings']> = {}) {
  const warnings: { msg: string; refusedSinceLastWarning: number; refusedSinceStart: number }[] = [];
  const log = pino({ level: 'warn' }, new Writable({ write: (c, _e, cb) => (warnings.push(JSON.parse(String(c))), cb()) }));
  const server = createPhoneListener((_req, res) => res.end('ok'), { name: 'phone HTTP', settings: { ...LIMITS, ...settings }, trustedProxies: () => [], log });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, port, warnings, close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())) };
}

/** Opens a connection from `from`; resolves once it is closed, with whether the server reset it unanswered. */
function hold(port: number, from: string) {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
  const closed = new Promise<boolean>((resolve) => {
    let reset = false;
    socket.on('error', (e: NodeJS.ErrnoException) => (reset = e.code === 'ECONNRESET'));
    socket.on('close', () => resolve(reset));
  });
  return { socket, closed };
}

const tick = (ms = 150) => new Promise((r) => setTimeout(r, ms));

test('the per-address cap counts open connections: a closed one makes room again, other addresses are not affected', async () => {
  const l = await listener();
  try {
    const [a, b] = [hold(l.port, '127.0.0.1'), hold(l.port, '127.0.0.1')];
    await tick();
    assert.equal(await hold(l.port, '127.0.0.1').closed, true, 'a third from the same address is reset');
    const other = hold(l.port, '127.0.0.2');
    a.socket.destroy();
    await a.closed;
    await tick();
    const again = hold(l.port, '127.0.0.1');
    await tick();
    assert.equal(again.socket.destroyed, false, 'room again after one closed');
    assert.equal(other.socket.destroyed, false);
    for (const h of [b, other, again]) h.socket.destroy();
  } finally {
    await l.close();
  }
});

test('refusals are logged once per address (and counted), not once per connection', async () => {
  const l = await listener({ phoneMaxConnectionsPerAddress: 1 });
  try {
    const kept = [hold(l.port, '127.0.0.1'), hold(l.port, '127.0.0.2')];
    await tick();
    for (let i = 0; i < 5; i++) await hold(l.port, '127.0.0.1').closed;
    await hold(l.port, '127.0.0.2').closed;
    assert.deepEqual(
      l.warnings.map((w) => [w.msg, w.refusedSinceStart]),
      [
        ['Refused a connection from 127.0.0.1 to the phone HTTP listener: it already has 1 open (phoneMaxConnectionsPerAddress). Further refusals are logged at most once a minute.', 1],
        ['Refused a connection from 127.0.0.2 to the phone HTTP listener: it already has 1 open (phoneMaxConnectionsPerAddress). Further refusals are logged at most once a minute.', 6],
      ],
    );
    for (const h of kept) h.socket.destroy();
  } finally {
    await l.close();
  }
});

test('an idle keep-alive connection is closed after the idle timeout; a header timeout longer than the request timeout is clamped', async () => {
  const l = await listener({ phoneHeadersTimeoutS: 30, phoneRequestTimeoutS: 2 });
  try {
    assert.equal(l.server.headersTimeout, 2000);
    const agent = new http.Agent({ keepAlive: true });
    const { socketClosed } = await new Promise<{ socketClosed: Promise<void> }>((resolve, reject) => {
      http.get({ port: l.port, host: '127.0.0.1', agent }, (res) => {
        res.resume();
        resolve({ socketClosed: new Promise((r) => res.socket.once('close', () => r())) });
      }).on('error', reject);
    });
    // Node's default would keep it five seconds, and the agent for ever.
    await Promise.race([socketClosed, tick(4000).then(() => assert.fail('the idle connection is still open after 4 s'))]);
    agent.destroy();
  } finally {
    await l.close();
  }
});
