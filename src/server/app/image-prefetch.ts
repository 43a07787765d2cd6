// A pool node fetches the images it may serve before a phone asks: after each catalog rebuild (an import or an
// approval on any node), every servable file this node's cache lacks is fetched from the pool and verified, one at a
// time in the background. A phone that asks first waits for the same fetch (BlobStore.local). Failures are retried
// at the next rebuild; the phone path never depends on this.
import { existsSync } from 'node:fs';
import type { CatalogSnapshot } from './catalog.js';
import type { BlobStore } from './store-contract.js';

export class ImagePrefetch {
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(
    private readonly blobs: BlobStore,
    private readonly snapshot: () => CatalogSnapshot,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Fetches what the current snapshot serves and this node lacks (after the run under way, if one is). */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#fetchAll().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#closed) {
        this.#again = false;
        void this.run();
      }
    });
    return this.#running;
  }

  async #fetchAll(): Promise<void> {
    const wanted = new Set([...this.snapshot().files.values()].map((f) => f.sha256));
    for (const sha of wanted) {
      if (this.#closed) return;
      if (existsSync(this.blobs.pathOf(sha))) continue;
      try {
        await this.blobs.local(sha);
      } catch (err) {
        this.onError(err);
        return; // the pool is away or the blob is damaged: the next rebuild tries again
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
