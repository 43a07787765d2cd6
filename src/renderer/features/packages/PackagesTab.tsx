// Imported packages, and the upload of a new one (button or drag and drop onto the tab) with its progress and
// what it added; Purge removes the packages no rule uses. The upload itself lives in the Console
// (usePackageUpload) so that it survives a change of tab.
import { useCallback, useEffect, useState } from 'react';
import { Button } from '@fluentui/react-components';
import { listPackages } from '../../api.js';
import { DataTable } from '../../components/DataTable.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { useLoad } from '../../use-load.js';
import { ImportFailure, ImportResult } from './ImportResult.js';
import { ImportProgress } from './ImportProgress.js';
import { packageColumns } from './package-columns.js';
import { PurgeDialog } from './PurgeDialog.js';
import { UploadButton } from './UploadButton.js';
import { useFileDrop } from './use-file-drop.js';
import type { PackageUpload } from './use-package-upload.js';

export interface PackagesTabProps {
  canChange: boolean;
  upload: PackageUpload;
  onShowPending: () => void;
  /** 'purge' opens the Purge dialog (the link #/packages/purge, the desktop menu's Tools > Purge). */
  part: string | undefined;
  onOpenPart: (part: string) => void;
  onPartClosed: () => void;
}

export function PackagesTab({ canChange, upload, onShowPending, part, onOpenPart, onPartClosed }: PackagesTabProps) {
  const packages = useLoad(useCallback(() => listPackages(), []));
  const [purged, setPurged] = useState<string>();
  const { dragging, dropProps } = useFileDrop(upload.start, canChange && !upload.busy);
  const { state } = upload;

  const reload = packages.reload;
  useEffect(() => {
    if (upload.finished > 0) void reload();
  }, [upload.finished, reload]);

  return (
    <div className={dragging ? 'drop-area dragging' : 'drop-area'} {...dropProps}>
      <p className="intro">
        Microsoft's update packages imported so far. Importing one adds its firmware versions as Pending Updates: test
        devices get them at once, other phones once you approve them.
      </p>
      {canChange && (
        <div className="toolbar">
          <UploadButton disabled={upload.busy} onFile={upload.start} />
          <span className="muted">{dragging ? 'Drop the file to upload it.' : 'or drop UCUpdates.cab or UCUpdates.exe here.'}</span>
          <Button size="small" className="toolbar-end" onClick={() => onOpenPart('purge')}>
            Purge…
          </Button>
        </div>
      )}
      {part === 'purge' && (
        <PurgeDialog
          canChange={canChange}
          onClose={onPartClosed}
          onPurged={(outcome) => {
            setPurged(outcome);
            onPartClosed();
            void reload();
          }}
        />
      )}
      {/* One notice: the last purge's outcome, or why the list cannot be read. */}
      <Notice error={packages.error} status={purged} />
      {(state.step === 'uploading' || state.step === 'importing') && <ImportProgress state={state} />}
      {state.step === 'done' && (
        <ImportResult fileName={state.fileName} summary={state.summary} onShowPending={onShowPending} onDismiss={upload.dismiss} />
      )}
      {state.step === 'failed' && <ImportFailure fileName={state.fileName} message={state.message} onDismiss={upload.dismiss} />}
      {packages.data ? (
        <DataTable
          id="packages"
          label="Packages"
          noun="package"
          data={packages.data}
          columns={packageColumns}
          getRowId={(p) => String(p.id)}
          empty={
            canChange
              ? 'No packages yet. Upload UCUpdates.cab or UCUpdates.exe from Microsoft (Upload .cab File, or drop it here) to add the firmware it holds.'
              : 'No packages yet. An administrator can upload UCUpdates.cab or UCUpdates.exe from Microsoft here.'
          }
        />
      ) : (
        packages.loading && <Loading />
      )}
    </div>
  );
}
