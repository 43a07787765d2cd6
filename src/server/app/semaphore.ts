// At most `slots` tasks at once and at most `queue` waiting for a slot; beyond that a caller is refused at once rather
// than waiting without end (a flood must not build an unbounded queue of work, or of memory).
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly slots: number,
    private readonly queue: number,
  ) {}

  /** Runs task in a slot, or throws busy() when every slot is taken and the queue is full. */
  async run<T>(task: () => Promise<T>, busy: () => Error): Promise<T> {
    if (this.running < this.slots) this.running++;
    else if (this.waiting.length < this.queue) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw busy();
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.running--;
    }
  }
}
