/**
 * What callers ask of one key in one turn of the event loop, sent together. `add` queues an item and
 * answers with that item's own result; the items leave once the turn's microtasks have run (or at
 * `flush()`), one `send` per key, in the order they came. `send` answers item by item, with a value or
 * with an Error for that item alone; if `send` itself fails, every item of its key fails with it.
 */
export class TurnBatch<T, R> {
  private pending: Map<string, Array<{ item: T; resolve: (r: R) => void; reject: (err: unknown) => void }>> | null = null;

  constructor(private readonly send: (key: string, items: T[]) => Promise<Array<R | Error>>) {}

  add(key: string, item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (!this.pending) {
        this.pending = new Map();
        queueMicrotask(() => this.flush());
      }
      const list = this.pending.get(key);
      if (list) list.push({ item, resolve, reject });
      else this.pending.set(key, [{ item, resolve, reject }]);
    });
  }

  /** Sends what is queued now (a caller whose next command must follow it); a no-op when nothing is. */
  flush(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    for (const [key, list] of pending) {
      this.send(key, list.map((w) => w.item)).then(
        (answers) => list.forEach((w, i) => {
          const a = answers[i]!;
          if (a instanceof Error) w.reject(a);
          else w.resolve(a);
        }),
        (err: unknown) => list.forEach((w) => w.reject(err)),
      );
    }
  }
}
