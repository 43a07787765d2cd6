// deploy/ and the README's pool section kept true. Every `ucupdates` command and option they name is one the CLI
// defines (read from its commander tree, as a shell would reach it), every setting and UCUPDATES_ variable exists,
// the balancers' limits and timeouts are the settings' defaults and point at the template unit's ports, HAProxy's
// health check is a path a node answers 200, and the real nginx accepts the nginx example and, run with it, passes
// phones' requests (HTTP and HTTPS) to a node past a dead one.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { DEFAULT_SETTINGS, SETTING_KEYS, type SettingKey } from '../../src/shared/settings.js';
import { closedUrl, eventually, startTestServer, tempDir } from '../helpers.js';

const root = new URL('../../', import.meta.url);
const read = (rel: string) => readFileSync(new URL(rel, root), 'utf8');
const filesUnder = (rel: string): string[] =>
  readdirSync(new URL(rel, root), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(`${rel}${e.name}/`) : [`${rel}${e.name}`]));

/** The README's pool section. */
function poolSection(): { name: string; text: string } {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Pool mode (several servers, one store)\n');
  assert.ok(start >= 0, 'README.md has its pool section');
  const end = readme.indexOf('\n## ', start + 1);
  return { name: 'README.md (Pool mode)', text: readme.slice(start, end < 0 ? undefined : end) };
}

const docs = [...filesUnder('deploy/').map((f) => ({ name: f, text: read(f) })), poolSection()];
const doc = (name: string) => docs.find((d) => d.name === name)!.text;

/** The places a file names commands: a Markdown file's sh blocks and code spans; a config file's comments (and their
 * code spans) and a unit's ExecStart. */
function commandTexts(name: string, text: string): string[] {
  const spans = (t: string) => [...t.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s+/g, ' '));
  if (name.endsWith('.md') || name.startsWith('README')) {
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'));
    return [...blocks, ...spans(text.replace(/```[\s\S]*?```/g, ''))];
  }
  return text.split('\n').flatMap((line) => {
    const exec = /^ExecStart=(.*)$/.exec(line);
    if (exec) return [exec[1]!];
    const comment = /^\s*#(.*)$/.exec(line);
    return comment ? [comment[1]!, ...spans(comment[1]!)] : [];
  });
}

/** The words after `ucupdates` (or bin/ucupdates.js) where a shell would run it: first on its command line, after
 * variable assignments only, or as node's script. */
function invocations(line: string): string[][] {
  return line
    .replace(/(^|\s)#.*$/, '')
    .split(/&&|\|\||;|\|/)
    .flatMap((segment) => {
      const words = [...segment.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
      const at = words.findIndex((w, i) => w.endsWith('bin/ucupdates.js') || (w === 'ucupdates' && words.slice(0, i).every((v) => /^[A-Z_]+=/.test(v))));
      return at < 0 ? [] : [words.slice(at + 1)];
    });
}

const optionOf = (cmd: Command, flag: string): Option | undefined => {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((opt) => opt.long === flag || opt.short === flag);
    if (o) return o;
  }
  return undefined;
};

/** What is wrong with `ucupdates <words>` against the CLI's definitions, or undefined when commander would take it. */
function problemWith(program: Command, words: string[]): string | undefined {
  let cmd = program;
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('-') && w.length > 1) {
      const flag = w.split('=')[0]!;
      const o = optionOf(cmd, flag);
      if (!o) return `${path(cmd)} has no option ${flag}`;
      if ((o.required || o.optional) && !w.includes('=')) i++;
      continue;
    }
    const sub = positional.length === 0 && cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub) {
      cmd = sub;
      continue;
    }
    if (positional.length === 0 && cmd.commands.length > 0 && cmd.registeredArguments.length === 0) return `${path(cmd)} has no command ${w}`;
    positional.push(w);
  }
  const args = cmd.registeredArguments;
  if (positional.length > args.length && !args.at(-1)?.variadic) return `${path(cmd)} takes ${args.length} argument(s), not ${positional.length}`;
  if (path(cmd) === 'ucupdates settings set') {
    const unknown = positional.filter((_, i) => i % 2 === 0).find((k) => !SETTING_KEYS.includes(k as SettingKey));
    if (unknown) return `there is no setting ${unknown}`;
  }
  return undefined;
}

const path = (cmd: Command): string => (cmd.parent ? `${path(cmd.parent)} ${cmd.name()}` : cmd.name());

test('every ucupdates command and option that deploy/ and the pool section name is one the CLI defines', () => {
  const program = buildProgram();
  const allOptions = (c: Command): Option[] => [...c.options, ...c.commands.flatMap(allOptions)];
  const seen: string[] = [];
  const problems: string[] = [];
  for (const { name, text } of docs) {
    for (const line of commandTexts(name, text)) {
      for (const words of invocations(line)) {
        seen.push(words.join(' '));
        const problem = problemWith(program, words);
        if (problem) problems.push(`${name}: "ucupdates ${words.join(' ')}": ${problem}`);
      }
      // An option named on its own (`--pool`) exists on some command.
      const lone = /^--[a-z][a-z-]*$/.test(line.trim()) && line.trim();
      if (lone && !allOptions(program).some((o) => o.long === lone)) problems.push(`${name}: no command has the option ${lone}`);
    }
  }
  for (const expected of ['serve', 'pool init', 'pool migrate', 'settings set']) {
    assert.ok(seen.some((s) => s.startsWith(expected)), `the deploy files show "ucupdates ${expected}"`);
  }
  assert.deepEqual(problems, []);
});

test('every setting and UCUPDATES_ variable that deploy/ and the pool section name exists', () => {
  const sources = (rel: string): string => filesUnder(rel).filter((f) => f.endsWith('.ts')).map(read).join('\n');
  const src = sources('src/');
  const notSettings = new Set(['yyMMdd', 'nodeN']); // a log file's date pattern; the template unit's node number
  const problems: string[] = [];
  for (const { name, text } of docs) {
    for (const [v] of text.matchAll(/\bUCUPDATES_[A-Z0-9_]+\b/g)) if (!src.includes(v)) problems.push(`${name}: ${v} is read nowhere in src/`);
    for (const [w] of text.matchAll(/\b[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b/g)) {
      if (!SETTING_KEYS.includes(w as SettingKey) && !notSettings.has(w)) problems.push(`${name}: there is no setting ${w}`);
    }
  }
  assert.deepEqual([...new Set(problems)], []);
});

const nginxConf = doc('deploy/nginx/ucupdates-pool.conf');
const haproxyCfg = doc('deploy/haproxy/ucupdates-pool.cfg');
const uncommented = (t: string) => t.replace(/#.*$/gm, '');
const directive = (t: string, name: string) => [...uncommented(t).matchAll(new RegExp(`^\\s*${name}\\s+([^;\\n]+?)\\s*;?\\s*$`, 'gm'))].map((m) => m[1]!);
const seconds = (v: string) => Number(/^(\d+)s$/.exec(v)?.[1]);

test("the balancers' limits and timeouts are the nodes' defaults, and they point at the template unit's nodes", () => {
  const s = DEFAULT_SETTINGS;
  const upstream = /upstream\s+\w+\s*\{([^}]*)\}/.exec(uncommented(nginxConf))![1]!;
  const server = uncommented(nginxConf).replace(/upstream\s+\w+\s*\{[^}]*\}/, '');
  const [size, unit] = /^(\d+)([km]?)$/i.exec(directive(server, 'client_max_body_size')[0]!)!.slice(1);
  assert.equal(Number(size) * ({ k: 1024, m: 1024 * 1024 }[unit!.toLowerCase()] ?? 1), s.deviceLogMaxBytes, 'nginx takes the largest phone request (a log upload)');
  assert.equal(Number(/req\.hdr_val\(content-length\) gt (\d+)/.exec(haproxyCfg)?.[1]), s.deviceLogMaxBytes, 'haproxy takes the largest phone request');
  assert.equal(seconds(directive(server, 'client_header_timeout')[0]!), s.phoneHeadersTimeoutS);
  assert.equal(seconds(directive(server, 'client_body_timeout')[0]!), s.phoneRequestTimeoutS);
  assert.equal(seconds(directive(server, 'keepalive_timeout')[0]!), s.phoneIdleTimeoutS);
  assert.ok(seconds(directive(upstream, 'keepalive_timeout')[0]!) < s.phoneIdleTimeoutS, 'nginx closes an idle connection to a node before the node does');
  assert.equal(seconds(directive(haproxyCfg, 'timeout http-request')[0]!), s.phoneHeadersTimeoutS);
  assert.equal(seconds(directive(haproxyCfg, 'timeout client')[0]!), s.phoneIdleTimeoutS);

  // The template unit's node N takes its phone HTTP port from --http-port with %i = N.
  const httpPort = /--http-port (\S+)/.exec(doc('deploy/systemd/ucupdates@.service'))![1]!;
  const nodes = [1, 2, 3].map((n) => Number(httpPort.replace('%i', String(n))));
  const ports = (t: string) => [...uncommented(t).matchAll(/^\s*server\s+(?:\S+\s+)?127\.0\.0\.1:(\d+)/gm)].map((m) => Number(m[1]));
  assert.deepEqual(ports(upstream), nodes, 'nginx balances over ucupdates@1..3');
  assert.deepEqual(ports(haproxyCfg), nodes, 'haproxy balances over ucupdates@1..3');
});

const fx = await tempDir('ucu-deploy-');
const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of stops.reverse()) await stop();
  await fx.remove();
});

/** HAProxy's health check request: its path. */
const healthPath = /http-check send meth GET uri (\S+)/.exec(haproxyCfg)![1]!;

test("HAProxy's health check is a path a node answers 200", async () => {
  const node = await startTestServer(join(fx.dir, 'health-node'));
  stops.push(() => node.close());
  const r = await fetch(`${node.urls.http}${healthPath}`);
  assert.equal(r.status, 200, await r.text());
});

const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync);

/** The nginx example under a minimal nginx.conf, in a folder of its own: its certificate made there, and `edit` applied. */
function nginxPrefix(dir: string, edit: (conf: string) => string = (c) => c): string {
  chmodSync(dir, 0o755); // nginx's workers (nobody, when started as root) reach the prefix's temp folders
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ucupdates-r2.contoso.test', '-keyout', join(dir, 'phones.key'), '-out', join(dir, 'phones.crt')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'ucupdates-pool.conf'), edit(nginxConf.replaceAll('/etc/ucupdates/tls/', `${dir}/`)));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\ndaemon off;\nevents {}\nhttp {\n  access_log off;\n  ${temp}\n  include ${dir}/ucupdates-pool.conf;\n}\n`,
  );
  return join(dir, 'nginx.conf');
}

test('nginx accepts the nginx example (nginx -t)', { skip: !nginx && 'nginx is not installed' }, async () => {
  const { dir, remove } = await tempDir('ucu-nginx-t-');
  try {
    const conf = nginxPrefix(dir);
    const r = spawnSync(nginx!, ['-t', '-q', '-p', dir, '-e', join(dir, 'error.log'), '-c', conf], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stderr}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
  } finally {
    await remove();
  }
});

test("nginx run with the example passes phones' requests over HTTP and HTTPS to a node, past a dead one", { skip: !nginx && 'nginx is not installed' }, async () => {
  const node = await startTestServer(join(fx.dir, 'node'));
  stops.push(() => node.close());
  const port = (url: string) => Number(new URL(url).port);
  const [dead, http, https] = [port(await closedUrl()), port(await closedUrl()), port(await closedUrl())];
  const nodePort = port(node.urls.http);
  const { dir, remove } = await tempDir('ucu-nginx-run-');
  stops.push(remove);
  // The phones' ports become free loopback ones; the first node is one nothing listens on, the others the real node.
  const conf = nginxPrefix(dir, (c) =>
    c
      .replace(/listen 80 /, `listen 127.0.0.1:${http} `)
      .replace(/listen 443 /, `listen 127.0.0.1:${https} `)
      .replace(/127\.0\.0\.1:8081/, `127.0.0.1:${dead}`)
      .replace(/127\.0\.0\.1:808\d/g, `127.0.0.1:${nodePort}`),
  );
  const proc = spawn(nginx!, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf], { stdio: 'ignore' });
  stops.push(async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  });
  const viaTls = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: https, path, rejectUnauthorized: false, servername: 'ucupdates-r2.contoso.test' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }));
      })
        .on('error', reject)
        .end();
    });
  await eventually(() => fetch(`http://127.0.0.1:${http}/`));
  for (let i = 0; i < 4; i++) {
    const r = await fetch(`http://127.0.0.1:${http}${healthPath}`);
    assert.equal(r.status, 200, `HTTP check ${i}`);
    assert.match(await r.text(), /ServerVersion/);
    const t = await viaTls(healthPath);
    assert.equal(t.status, 200, `HTTPS check ${i}`);
    assert.match(t.body, /ServerVersion/);
  }
  const big = await fetch(`http://127.0.0.1:${http}${healthPath}`, { method: 'POST', body: Buffer.alloc(DEFAULT_SETTINGS.deviceLogMaxBytes + 1) });
  assert.equal(big.status, 413, 'nginx refuses a body larger than any phone request');
});
