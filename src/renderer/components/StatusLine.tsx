// The status line at the foot of the console: is the service running, where do phones reach it, and (a pool node)
// does its store answer. Asked again every half minute, so a stopped server or an unreachable pool database shows
// here before the admin's next click fails.
import { useEffect, useState } from 'react';
import type { ServerStatusDto } from '../../shared/admin-api.js';
import { errorText, getStatus } from '../api.js';
import { formatTime } from '../format.js';

const EVERY_MS = 30_000;

export function StatusLine() {
  const [status, setStatus] = useState<ServerStatusDto>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    const ask = () =>
      getStatus().then(
        (s) => live && (setStatus(s), setError(undefined)),
        (e: unknown) => live && setError(errorText(e)),
      );
    void ask();
    const timer = setInterval(() => void ask(), EVERY_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <footer className="status-line" aria-label="Service status">
      {error ? (
        <span className="status-down">Not reachable: {error}</span>
      ) : status ? (
        <>
          <span className="status-up">ucupdates {status.version} is serving phones</span>
          <span>
            at <code>{status.urls.http}/RequestHandler/ucdevice.upx</code> and <code>{status.urls.https}/RequestHandler/ucdevice.upx</code>
          </span>
          <span className="muted">since {formatTime(status.startedAt)}</span>
          {status.store.pool && <span className="muted">store: the pool at <code>{status.store.pool}</code></span>}
          {status.store.problem && (
            <span className="status-down">
              {status.store.problem} Phones are answered with the rules last read; changes are refused until it is back.
            </span>
          )}
          {(status.store.waiting > 0 || status.store.dropped > 0) && status.store.problem && (
            <span className="muted">
              {status.store.waiting} phone observation(s) waiting for the inventory{status.store.dropped > 0 ? `, ${status.store.dropped} dropped` : ''}
            </span>
          )}
        </>
      ) : (
        <span className="muted">Asking the server…</span>
      )}
    </footer>
  );
}
