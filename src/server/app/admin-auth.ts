// Admin accounts (scrypt-hashed passwords) and sessions. Tokens are random, stored only as SHA-256 hashes.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { AdminRole, SessionRecord } from './store-contract.js';
import { AppError } from './app-error.js';
import { Semaphore } from './semaphore.js';
import type { Store } from './store.js';

const SESSION_HOURS = 12;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}
/** OWASP's current recommendation. Hashes carry their parameters (`scrypt$ln=17,r=8,p=1$salt$hash`). */
const CURRENT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
/** Hashes written before the parameters were stored (`scrypt$salt$hash`); rehashed at the next successful sign-in. */
const LEGACY: ScryptParams = { N: 16384, r: 8, p: 1 };

/**
 * One scrypt needs 128 * N * r bytes: 128 MiB at the current parameters. Two at once (2 x 128 MiB) bound both the
 * memory and the share of libuv's four worker threads that hashing takes, so file reads for firmware downloads are
 * never starved by a flood of sign-ins; a few more wait, and beyond that a sign-in is refused at once.
 */
const hashing = new Semaphore(2, 8);
const hashingBusy = () => new AppError('rate_limited', 'The server is checking other sign-ins right now: try again in a few seconds.');

function scryptAsync(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  const maxmem = 2 * 128 * N * r; // twice what scrypt uses, so that Node's own bound never refuses it
  return new Promise((resolve, reject) => scrypt(password, salt, 32, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))));
}

const formatHash = ({ N, r, p }: ScryptParams, salt: Buffer, hash: Buffer) =>
  `scrypt$ln=${Math.log2(N)},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return undefined;
  const [params, salt, hash] = parts.length === 3 ? [LEGACY, parts[1], parts[2]] : [readParams(parts[1] ?? ''), parts[2], parts[3]];
  if (!params || !salt || !hash || parts.length > 4) return undefined;
  return { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

function readParams(text: string): ScryptParams | undefined {
  const m = /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/.exec(text);
  if (!m || Number(m[1]) > 20) return undefined; // a stored hash never asks for more than 2^20 (1 GiB at r=8)
  return { N: 2 ** Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return formatHash(CURRENT, salt, await scryptAsync(password, salt, CURRENT));
}

/** Whether the password matches, and whether the stored hash uses older parameters than today's. */
async function verifyPassword(password: string, stored: string): Promise<{ ok: boolean; stale: boolean }> {
  const h = parseHash(stored);
  if (!h) return { ok: false, stale: false };
  const actual = await scryptAsync(password, h.salt, h.params);
  const ok = actual.length === h.hash.length && timingSafeEqual(actual, h.hash);
  return { ok, stale: h.params.N !== CURRENT.N || h.params.r !== CURRENT.r || h.params.p !== CURRENT.p };
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export async function setAdmin(store: Store, username: string, password: string, role: AdminRole, actor: string): Promise<void> {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) {
    throw new AppError('invalid_input', 'A user name is 1 to 64 letters, digits, dots, dashes, underscores or @.', 'username');
  }
  if (password.length < 10) throw new AppError('invalid_input', 'A password has at least 10 characters.', 'password');
  const passwordHash = await hashing.run(() => hashPassword(password), hashingBusy);
  await store.write(async (tx, now) => {
    const existed = (await tx.admins.get(username)) !== undefined;
    await tx.admins.upsert({ username, passwordHash, role, createdAt: now });
    await tx.admins.removeSessionsOf(username); // a changed password or role takes effect at once
    return { result: undefined, history: { actor, action: existed ? 'change-admin' : 'add-admin', target: username, details: { role } } };
  });
}

export async function removeAdmin(store: Store, username: string, actor: string): Promise<void> {
  await store.write(async (tx) => {
    if (!(await tx.admins.remove(username))) throw new AppError('not_found', `There is no admin account "${username}".`);
    return { result: undefined, history: { actor, action: 'remove-admin', target: username, details: {} } };
  });
}

export interface NewSession {
  token: string;
  csrf: string;
  username: string;
  role: AdminRole;
  expiresAt: string;
}

export async function signIn(store: Store, username: string, password: string): Promise<NewSession> {
  const account = await store.admins.get(username);
  // Verify against a dummy hash (today's parameters) when the account does not exist, so timing does not reveal user
  // names. An account still on a legacy hash answers faster until its next sign-in rehashes it.
  const ok = await hashing.run(async () => {
    const v = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
    if (!account || !v.ok) return false;
    // In the same slot: a right password is never refused for want of one.
    if (v.stale) await store.admins.replacePasswordHash(account.username, account.passwordHash, await hashPassword(password));
    return true;
  }, hashingBusy);
  if (!account || !ok) throw new AppError('unauthenticated', 'Wrong user name or password.');
  const now = store.now();
  const token = newToken();
  const csrf = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
  await store.admins.removeExpiredSessions(now.toISOString());
  await store.admins.addSession(hashToken(token), account.username, csrf, now.toISOString(), expiresAt);
  return { token, csrf, username: account.username, role: account.role, expiresAt };
}

export function findSession(store: Store, token: string): Promise<SessionRecord | undefined> {
  return store.admins.findSession(hashToken(token), store.now().toISOString());
}

export function signOut(store: Store, token: string): Promise<void> {
  return store.admins.removeSession(hashToken(token));
}

const DUMMY_HASH = formatHash(CURRENT, Buffer.alloc(16), Buffer.alloc(32));
