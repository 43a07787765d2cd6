// Admin accounts (scrypt-hashed passwords) and sessions. Tokens are random, stored only as SHA-256 hashes.
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { AdminRole, SessionRecord } from '../infra/db/admins-repo.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const SESSION_HOURS = 12;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${(await scryptAsync(password, salt)).toString('base64')}`;
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export async function setAdmin(store: Store, username: string, password: string, role: AdminRole, actor: string): Promise<void> {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) {
    throw new AppError('invalid_input', 'A user name is 1 to 64 letters, digits, dots, dashes, underscores or @.', 'username');
  }
  if (password.length < 10) throw new AppError('invalid_input', 'A password has at least 10 characters.', 'password');
  const passwordHash = await hashPassword(password);
  store.write((now) => {
    const existed = store.admins.get(username) !== undefined;
    store.admins.upsert({ username, passwordHash, role, createdAt: now });
    store.admins.removeSessionsOf(username); // a changed password or role takes effect at once
    return { result: undefined, history: { actor, action: existed ? 'change-admin' : 'add-admin', target: username, details: { role } } };
  });
}

export function removeAdmin(store: Store, username: string, actor: string): void {
  store.write(() => {
    if (!store.admins.remove(username)) throw new AppError('not_found', `There is no admin account "${username}".`);
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
  const account = store.admins.get(username);
  // Verify against a dummy hash when the account does not exist, so timing does not reveal user names.
  const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
  if (!account || !ok) throw new AppError('unauthenticated', 'Wrong user name or password.');
  const now = store.now();
  const token = newToken();
  const csrf = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
  store.admins.removeExpiredSessions(now.toISOString());
  store.admins.addSession(hashToken(token), account.username, csrf, now.toISOString(), expiresAt);
  return { token, csrf, username: account.username, role: account.role, expiresAt };
}

export function findSession(store: Store, token: string): SessionRecord | undefined {
  return store.admins.findSession(hashToken(token), store.now().toISOString());
}

export function signOut(store: Store, token: string): void {
  store.admins.removeSession(hashToken(token));
}

const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
