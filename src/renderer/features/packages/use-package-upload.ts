// One package upload at a time: the file goes up with progress (XMLHttpRequest), then the import job is polled
// every POLL_MS until it is done (its summary) or failed (the server's message). Lives in the Console, not in
// the Packages tab, so that an import keeps going (and its outcome stays visible) while the admin looks elsewhere.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImportJobDto, ImportSummary } from '../../../shared/admin-api.js';
import { errorText, getImport, uploadPackage } from '../../api.js';

const POLL_MS = 300;
const PACKAGE_FILE = /\.(cab|exe)$/i;

export type UploadState =
  | { step: 'idle' }
  | { step: 'uploading'; fileName: string; sent: number; total: number }
  | { step: 'importing'; fileName: string; job: ImportJobDto }
  | { step: 'done'; fileName: string; summary: ImportSummary }
  | { step: 'failed'; fileName: string; message: string };

export interface PackageUpload {
  state: UploadState;
  busy: boolean;
  /** How many imports have finished (successfully or not) since the console opened: lists reload when it changes. */
  finished: number;
  start: (file: File) => void;
  dismiss: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `interim`: the uploads are the interim image's cab (the Approved Updates tab's own upload). */
export function usePackageUpload({ interim = false }: { interim?: boolean } = {}): PackageUpload {
  const [state, setState] = useState<UploadState>({ step: 'idle' });
  const [finished, setFinished] = useState(0);
  const abort = useRef<AbortController>(undefined);
  const busy = state.step === 'uploading' || state.step === 'importing';

  useEffect(() => () => abort.current?.abort(), []);

  const run = useCallback(async (file: File, signal: AbortSignal) => {
    const fileName = file.name;
    const finish = (next: UploadState) => {
      if (signal.aborted) return;
      setState(next);
      setFinished((n) => n + 1);
    };
    if (!PACKAGE_FILE.test(fileName)) {
      const wanted = interim ? 'the cab holding OCInterim/<Locale>/CPE.nbt and CPE.cat' : 'UCUpdates.cab or UCUpdates.exe from Microsoft';
      finish({ step: 'failed', fileName, message: `“${fileName}” is not a .cab or .exe file: upload ${wanted}.` });
      return;
    }
    setState({ step: 'uploading', fileName, sent: 0, total: file.size });
    try {
      let job = await uploadPackage(file, (sent, total) => !signal.aborted && setState({ step: 'uploading', fileName, sent, total }), signal, interim);
      while (job.phase !== 'done' && job.phase !== 'failed') {
        if (signal.aborted) return;
        setState({ step: 'importing', fileName, job });
        await sleep(POLL_MS);
        job = await getImport(job.id);
      }
      if (job.summary) finish({ step: 'done', fileName, summary: job.summary });
      else finish({ step: 'failed', fileName, message: job.error?.message ?? 'The import failed without an explanation.' });
    } catch (e) {
      finish({ step: 'failed', fileName, message: errorText(e) });
    }
  }, [interim]);

  const start = useCallback(
    (file: File) => {
      if (busy) return;
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      void run(file, controller.signal);
    },
    [busy, run],
  );

  const dismiss = useCallback(() => {
    if (!busy) setState({ step: 'idle' });
  }, [busy]);

  return { state, busy, finished, start, dismiss };
}
