// Package imports started from the admin API run as jobs, one at a time, with progress the console can poll.
import { rm } from 'node:fs/promises';
import type { ImportJobDto } from '../../shared/admin-api.js';
import { AppError } from './app-error.js';
import { importPackage, type ImportKind } from './import-package.js';
import type { Store } from './store.js';

const KEEP_FINISHED = 50;

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJobDto>();
  private queue: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly store: Store) {}

  start(file: string, fileName: string, actor: string, opts: { kind: ImportKind; removeWhenDone: boolean }): ImportJobDto {
    const job: ImportJobDto = { id: `${Date.now().toString(36)}-${++this.seq}`, fileName, phase: 'queued', percent: 0 };
    this.jobs.set(job.id, job);
    this.prune();
    this.queue = this.queue.then(async () => {
      // The job is told finished only once its upload is gone: whoever sees it finished finds staging clean.
      let outcome: Partial<ImportJobDto>;
      try {
        const summary = await importPackage(this.store, file, {
          fileName,
          actor,
          kind: opts.kind,
          onProgress: (phase, percent) => Object.assign(job, { phase, percent }),
        });
        outcome = { phase: 'done', percent: 100, summary };
      } catch (e) {
        const err = e instanceof AppError ? e : new AppError('internal', `The import failed: ${(e as Error).message}`);
        outcome = { phase: 'failed', error: { code: err.code, message: err.message } };
      }
      try {
        if (opts.removeWhenDone) await rm(file, { force: true });
      } finally {
        Object.assign(job, outcome);
      }
    });
    return { ...job };
  }

  get(id: string): ImportJobDto | undefined {
    const j = this.jobs.get(id);
    return j && { ...j };
  }

  list(): ImportJobDto[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j }));
  }

  /** Resolves when every job started so far has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.phase === 'done' || j.phase === 'failed');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(j.id);
  }
}
