#!/usr/bin/env node
// `npm start`: the desktop console where Electron can run; where it cannot (a server, no display, no Electron
// binary), the same service headless, which prints a one-time sign-in link for a browser on this machine.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  if (process.env.UCUPDATES_HEADLESS === '1') return { reason: 'UCUPDATES_HEADLESS=1 is set' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display' };
  try {
    return { path: require('electron') }; // downloads the binary on first use where the network allows
  } catch (e) {
    return { reason: `Electron's binary is not available (${String(e.message).split('\n')[0]})` };
  }
}

const electron = electronBinary();
const [cmd, args] = electron.path
  ? [electron.path, ['.', ...process.argv.slice(2)]]
  : [process.execPath, ['bin/ucupdates.js', 'serve', ...process.argv.slice(2)]];
if (!electron.path) console.log(`Starting headless: ${electron.reason}. Open the sign-in link below in a browser on this machine.`);
const child = spawn(cmd, args, { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 1)));
