// The interim images under the approved updates: each with its files and the phones of the inventory it serves (they
// get it before any newer version), and a warning for each locale whose phones need one that is missing.
// The numbers are the server's (GET /api/interim-images), judged by the update decision's own rule. Admins can upload
// the interim image's cab here (a folder copied from an old server goes through `ucupdates import --interim`).
import { useCallback, useEffect } from 'react';
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { InterimOverviewDto } from '../../../shared/admin-api.js';
import { getInterimImages } from '../../api.js';
import { ImportProgress } from '../packages/ImportProgress.js';
import { UploadButton } from '../packages/UploadButton.js';
import { usePackageUpload, type UploadState } from '../packages/use-package-upload.js';
import { Loading } from '../../components/Loading.js';
import { Notice } from '../../components/Notice.js';
import { PlainTable } from '../../components/PlainTable.js';
import { count, formatBytes } from '../../format.js';
import { useLoad } from '../../use-load.js';
import './interim-images.css';

export function InterimImages({ canChange }: { canChange: boolean }) {
  const overview = useLoad(useCallback(() => getInterimImages(), []));
  const upload = usePackageUpload({ interim: true });
  const { state } = upload;
  const reload = overview.reload;
  useEffect(() => {
    if (upload.finished > 0) void reload();
  }, [upload.finished, reload]);
  const o = overview.data;
  return (
    <section className="interim-images" aria-labelledby="interim-images-title">
      <h2 id="interim-images-title">Interim images</h2>
      {canChange && (
        <div className="toolbar">
          <UploadButton disabled={upload.busy} onFile={upload.start} label="Upload Interim .cab" fileLabel="Interim image cab to upload" />
        </div>
      )}
      {(state.step === 'uploading' || state.step === 'importing') && <ImportProgress state={state} />}
      <Notice error={state.step === 'failed' ? `Could not import ${state.fileName}: ${state.message}` : overview.error} status={uploaded(state)} />
      {o ? <InterimBody o={o} /> : overview.loading && <Loading />}
    </section>
  );
}

function uploaded(state: UploadState): string | undefined {
  if (state.step !== 'done') return undefined;
  const { summary } = state;
  if (summary.alreadyImported) return `${state.fileName} was imported before: nothing changed.`;
  return `Imported ${state.fileName}: the interim image for ${summary.interim.map((i) => i.locale).join(', ')}.`;
}

function InterimBody({ o }: { o: InterimOverviewDto }) {
  return (
    <>
      <p className="intro">
        UCPhone phones {o.inclusive ? 'at or below' : 'below'} {o.threshold} get the interim build {o.version} first, then the approved
        version after they restart. Upload its cab here, or import the OCInterim folder of an old server with{' '}
        <code>ucupdates import --interim</code>.
      </p>
      {o.missing.map((m) => (
        <MessageBar key={m.locale} intent="warning" role="status" className="notice">
          <MessageBarBody>
            {count(m.phones, 'phone')} of locale {m.locale} {m.phones === 1 ? 'needs' : 'need'} the interim build, and there is no interim image for {m.locale}: {m.phones === 1 ? 'it cannot' : 'they cannot'} update.
          </MessageBarBody>
        </MessageBar>
      ))}
      {o.images.length === 0 ? (
        <p className="muted">{o.missing.length === 0 ? 'No interim image is in the store, and no phone in the inventory needs one.' : 'No interim image is in the store.'}</p>
      ) : (
        <PlainTable
          label="Interim images"
          headers={['Locale', 'Version', 'Files', 'Phones it serves', 'Imported from']}
          rows={o.images.map((i) => [i.locale, i.version, i.files.map((f) => `${f.fileName} (${formatBytes(f.size)})`).join(', '), count(i.phones, 'phone'), i.fileName])}
        />
      )}
    </>
  );
}
