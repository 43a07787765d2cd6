// The signal that another node (or a CLI command) committed a change: one dedicated connection (not from the pool,
// whose clients come and go) LISTENing on the changes channel. It reconnects by itself, with backoff, whenever the
// connection drops (or stops answering its heartbeat: a silent network keeps a dead socket open for hours), and then
// reports a change once: notifications sent meanwhile were lost.
import pg from 'pg';
import { clientConfig } from './connection.js';

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 2_000;
const HEARTBEAT_MS = 10_000;

export class ChangeListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  /** Set when the connection failed or dropped: the next one that listens reports a change. */
  private missed = false;
  private closed = false;

  /**
   * @param channel an identifier (LISTEN takes no parameter), a constant of engine.ts
   * @param ownId the payload of this engine's own notifications, which are not external changes
   */
  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly ownId: string,
    private readonly onChange: () => void,
  ) {
    void this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...clientConfig(this.url), query_timeout: HEARTBEAT_MS / 2 });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      clearInterval(this.heartbeat);
      this.missed = true;
      client.end().catch(() => {});
      this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== this.ownId) this.onChange();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch {
      lost();
      return;
    }
    if (this.client !== client) return; // closed meanwhile
    this.retryMs = FIRST_RETRY_MS;
    this.heartbeat = setInterval(() => client.query('SELECT 1').catch(lost), HEARTBEAT_MS).unref();
    if (this.missed) {
      this.missed = false;
      this.onChange();
    }
  }

  private retry(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
