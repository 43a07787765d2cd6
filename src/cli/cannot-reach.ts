// A request that got no answer (refused, unknown name, an untrusted certificate…), in one sentence with what to do,
// instead of Node's own words (ECONNREFUSED, "self-signed certificate").
import { AppError } from '../server/app/app-error.js';

const UNTRUSTED = ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'];

/** `hint`: what to check, for the command at hand (e.g. "check --server"). */
export function cannotReach(url: string, e: unknown, hint: string): AppError {
  const u = new URL(url);
  const at = u.origin;
  const code = String((e as NodeJS.ErrnoException | null)?.code ?? '');
  const said = (what: string) => new AppError('internal', `${what}: ${hint}.`);
  if (code === 'ECONNREFUSED') return said(`Nothing answers at ${at} (the connection was refused)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return said(`${u.hostname} is a name DNS does not know`);
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return said(`${at} cannot be reached from here (no route, or no answer)`);
  if (code === 'ECONNRESET' || code === 'EPIPE') return said(`${at} closed the connection without answering`);
  if (UNTRUSTED.includes(code)) {
    return new AppError('internal', `${at} presents a certificate this machine does not trust (self-signed, like the one a server makes on its first run): add --insecure to accept it, or give the server a certificate from your CA.`);
  }
  if (code === 'CERT_HAS_EXPIRED') return said(`The certificate of ${at} has expired`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return said(`The certificate of ${at} does not name ${u.hostname}`);
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(String((e as Error)?.message))) {
    return said(`${at} does not speak ${u.protocol === 'https:' ? 'HTTPS' : 'HTTP'} (is it the other port?)`);
  }
  return said(`${at} could not be reached${code ? ` (${code})` : ''}`);
}

/** A URL the admin typed, or a sentence. */
export function toUrl(v: string): string {
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return v;
  } catch {
    // said below
  }
  throw new AppError('invalid_input', `"${v}" is not a server URL: give one like http://ucupdates.contoso.com or https://localhost:8443.`);
}
