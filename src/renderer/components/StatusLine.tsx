// The status line at the foot of the console: is the service running, and where do phones reach it. Asked again
// every half minute, so a stopped server shows here before the admin's next click fails.
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
        </>
      ) : (
        <span className="muted">Asking the server…</span>
      )}
    </footer>
  );
}
