// Fills the inventory from a retiring Lync/OCS server: its RequestHandlerAuditLog_*.log files, uploaded one after
// the other, each with what it added.
import { useRef, useState } from 'react';
import { Button } from '@fluentui/react-components';
import type { AuditImportDto } from '../../../shared/inventory-api.js';
import { errorText, importAuditLog } from '../../api.js';
import { count } from '../../format.js';

type Outcome = { fileName: string; result: AuditImportDto } | { fileName: string; error: string };

export function AuditImport({ canChange }: { canChange: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [current, setCurrent] = useState<string>();

  const upload = async (files: File[]) => {
    setOutcomes([]);
    for (const file of files) {
      setCurrent(file.name);
      try {
        const result = await importAuditLog(file);
        setOutcomes((o) => [...o, { fileName: file.name, result }]);
      } catch (e) {
        setOutcomes((o) => [...o, { fileName: file.name, error: errorText(e) }]);
      }
    }
    setCurrent(undefined);
  };

  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Import audit logs of a retiring server</h2>
      <p className="muted">
        The RequestHandlerAuditLog_*.log files of a Lync or OCS server (under its Device Update log folder) add the phones
        they name to the Devices tab, so that the inventory starts full. Older checks than the inventory knows are skipped.
      </p>
      {canChange ? (
        <div className="toolbar">
          <Button size="small" disabled={current !== undefined} onClick={() => input.current?.click()}>
            Import Audit Logs…
          </Button>
          <input
            ref={input}
            type="file"
            accept=".log,.txt"
            multiple
            className="visually-hidden"
            tabIndex={-1}
            aria-label="Audit log files to import"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (files.length) void upload(files);
            }}
          />
          {current && <span className="muted">Importing {current}…</span>}
        </div>
      ) : (
        <p className="muted">An administrator can import them.</p>
      )}
      {outcomes.length > 0 && (
        <ul className="summaries" aria-label="Audit log imports" aria-live="polite">
          {outcomes.map((o, i) => (
            <li key={i}>
              <strong>{o.fileName}</strong>: {'error' in o ? <span className="error-text">{o.error}</span> : <ImportSummary r={o.result} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ImportSummary({ r }: { r: AuditImportDto }) {
  return (
    <>
      {r.imported} of {count(r.lines, 'line')} imported, {count(r.newDevices, 'new phone')}, {r.skipped} skipped
      {r.errors.length > 0 && (
        <>
          , {r.errors.length} unreadable:
          <ul>
            {r.errors.map((e) => (
              <li key={e.line}>
                line {e.line}: {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
      .
    </>
  );
}
