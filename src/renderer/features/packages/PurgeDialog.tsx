// Purge, as the MMC had it: the packages whose versions no rule uses any more, why each goes (and why the others
// stay), and the disk space it frees, before anything is removed. Viewers see the same list without the button.
import { useCallback, useState } from 'react';
import { errorText, previewPurge, purgePackages } from '../../api.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { Loading } from '../../components/Loading.js';
import { count, formatBytes, formatTime } from '../../format.js';
import { useLoad } from '../../use-load.js';

export interface PurgeDialogProps {
  canChange: boolean;
  onClose: () => void;
  /** Called with what was done, in words. */
  onPurged: (outcome: string) => void;
}

export function PurgeDialog({ canChange, onClose, onPurged }: PurgeDialogProps) {
  const preview = useLoad(useCallback(() => previewPurge(), []));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const plan = preview.data;
  const ids = plan?.purge.map((p) => p.id) ?? [];

  const purge = async () => {
    setBusy(true);
    try {
      const done = await purgePackages(ids);
      onPurged(`Purged ${count(done.packages.length, 'package')}: ${count(done.files, 'file')} removed, ${formatBytes(done.bytes)} freed.`);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog
      title="Purge packages"
      confirmLabel={`Purge ${count(ids.length, 'package')}`}
      busy={busy}
      error={error ?? preview.error}
      canConfirm={canChange && ids.length > 0}
      onConfirm={() => void purge()}
      onCancel={onClose}
    >
      {!plan ? (
        preview.loading && <Loading />
      ) : ids.length === 0 ? (
        <p>Nothing to purge: every package holds a version that is approved, pending or kept for roll back.</p>
      ) : (
        <>
          <p>
            These packages hold only versions that no rule uses any more. Purging them removes {count(plan.files, 'file')} and frees{' '}
            {formatBytes(plan.bytes)}. Uploading a package again brings its versions back as pending.
          </p>
          <PackageList label="To purge" items={plan.purge} />
        </>
      )}
      {plan && plan.keep.length > 0 && (
        <details>
          <summary>Kept: {count(plan.keep.length, 'package')}</summary>
          <PackageList label="Kept" items={plan.keep} />
        </details>
      )}
    </ConfirmDialog>
  );
}

function PackageList({ label, items }: { label: string; items: { id: number; fileName: string; importedAt: string; reason: string }[] }) {
  return (
    <ul className="summaries" aria-label={label}>
      {items.map((p) => (
        <li key={p.id}>
          <strong>{p.fileName}</strong> <span className="muted">(imported {formatTime(p.importedAt)})</span>: {p.reason}
        </li>
      ))}
    </ul>
  );
}
