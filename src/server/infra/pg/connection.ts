// The pool's PostgreSQL connections: a bounded pg.Pool from the --pool URL, and the errors that mean "the database
// cannot be reached" put in one sentence that names host:port (never the password), as StoreUnavailable.
import pg from 'pg';
import { StoreUnavailable } from '../../app/store-contract.js';

/** What a repository runs its statements on: the pool (autocommit) or one transaction's client. */
export type Queryable = pg.Pool | pg.PoolClient;

const POOL_SIZE = 10;
const STATEMENT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** A node that vanished mid-transaction (a partition, not a closed socket) holds the write lock at most this long. */
const IDLE_IN_TRANSACTION_MS = 300_000;

/** bigint columns (ids, sizes, counts) as numbers: none comes near 2^53. */
const parseInt8 = (v: string) => Number(v);
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** The connection settings every connection of the engine shares (the LISTEN client's too). */
export function clientConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: TYPES,
    application_name: 'ucupdates',
  };
}

export function openPool(url: string): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(url), max: POOL_SIZE, idleTimeoutMillis: 30_000 });
  // An idle client whose server went away (a restart, 57P01) errors here; unhandled, it would end the process. The
  // pool drops it and the next query connects again, or fails in words.
  pool.on('error', () => {});
  // A client checked out (a transaction, an upload) has no pool listener: its connection dropping then fails the
  // statement in flight, and must not end the process either. Once per client: clients are reused.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Runs fn in one transaction on a client of the pool: committed when it resolves, rolled back when it throws. A client
 * whose connection broke is dropped from the pool rather than reused.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch((r: Error) => (broken = r));
    throw e;
  } finally {
    client.release(broken);
  }
}

/** The URL without its password, for messages and StoreEngine.location. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString();
  } catch {
    return 'the pool URL';
  }
}

/** Why `url` is no PostgreSQL URL (one sentence, never its password), or undefined when it is one. */
export function poolUrlProblem(url: string): string | undefined {
  const give = 'give postgres://user@host/database (or postgresql://)';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `The pool URL is not a valid URL: ${give}.`;
  }
  if (!/^postgres(ql)?:$/i.test(u.protocol)) return `The pool URL ${withoutPassword(url)} is not a PostgreSQL URL: ${give}.`;
  return undefined;
}

/** host:port of the URL (PostgreSQL's default port when it names none). */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the pool URL';
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i;

/** Why the error means the database cannot be used now (a few words), or undefined for any other error. */
function unreachableReason(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code === 'ECONNREFUSED') return 'it refuses connections';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name does not resolve';
    if (UNREACHABLE_CODES.has(code)) return 'the connection failed';
    if (code === '57P01' || code === '57P02') return 'the server shut down';
    if (code === '57P03') return 'the server is starting or stopping';
    if (code.startsWith('08')) return 'the connection failed';
    if (code === '53300') return 'it has no connection slot left';
  }
  // Node gives an AggregateError when every address of the host refused.
  if (e instanceof AggregateError && e.errors.some((x) => unreachableReason(x))) return unreachableReason(e.errors.find((x) => unreachableReason(x)));
  if (UNREACHABLE_MESSAGES.test(e.message)) return 'the connection was lost';
  return undefined;
}

/** StoreUnavailable in one sentence when the error means the database cannot be reached; else the error itself. */
export function inWords(e: unknown, url: string): unknown {
  if (e instanceof StoreUnavailable) return e;
  const reason = unreachableReason(e);
  if (reason) return new StoreUnavailable(`The pool's database at ${hostPort(url)} cannot be reached (${reason}).`);
  const code = (e as { code?: unknown } | undefined)?.code;
  if (code === '28P01' || code === '28000') return new StoreUnavailable(`The pool's database at ${hostPort(url)} refused the user or password of the pool URL.`);
  if (code === '3D000') return new StoreUnavailable(`The pool URL names a database that does not exist at ${hostPort(url)}; create it first.`);
  if (code === '25006') return new StoreUnavailable(`The pool's database at ${hostPort(url)} is read-only (a standby?); point the pool URL at the primary.`);
  return e;
}
