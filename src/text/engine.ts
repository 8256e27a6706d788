import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Made } from './texts.js';

/**
 * Where a tick's texts are made. The dictionaries and twitter-text cost a tick's thread ~100 ms of CPU to
 * load, and the dictionaries' objects then make every later garbage collection of that thread slower. With
 * a second core, a worker thread (./worker.ts) loads them while the tick connects, reads the farm and
 * fetches tweets, and makes every text: the tick's own thread never holds them. With one core, or where
 * the worker's compiled file is absent (the sources, as the test runner runs them), texts are made on
 * the calling thread.
 */
export interface TextEngine {
  /** The texts `template` makes of each tweet, in order (see TextMaker). */
  make(template: string, tweets: readonly string[], keepTooLong: boolean): Promise<Made[][]>;
  /** Starts loading the dictionaries now, if that can happen beside the caller's work (on its thread). */
  load(): void;
}

/** What the worker is asked: to load (the first request to make texts loads too), or to make texts. */
export type WorkerRequest = { load: true } | MakeRequest;
export interface MakeRequest {
  id: number;
  template: string;
  tweets: readonly string[];
  keepTooLong: boolean;
}
export type MakeReply = { id: number; texts: Made[][] } | { id: number; error: string };

// The bundled thread beside the bundled CLI (scripts/bundle.mjs), else the compiled module beside this one.
const WORKER_FILES = [new URL('./text-worker.cjs', import.meta.url), new URL('../text/worker.js', import.meta.url)];

let shared: TextEngine | null = null;

/** The process's engine, started on first use; a tick starts it early (the writer kind's `warm`). */
export function textEngine(): TextEngine {
  if (!shared) {
    const file = availableParallelism() > 1 ? WORKER_FILES.find((f) => existsSync(fileURLToPath(f))) : undefined;
    shared = file ? new ThreadEngine(file) : inThread();
  }
  return shared;
}

/** Texts made on the calling thread (preview, one core, the sources). */
export function inThread(): TextEngine {
  let maker: Promise<import('./texts.js').TextMaker> | undefined;
  return {
    // On the calling thread, loading early would only move the same wait: it loads on the first request.
    load() {},
    async make(template, tweets, keepTooLong) {
      maker ??= Promise.all([import('./morph.js'), import('./texts.js')]).then(async ([morph, texts]) => {
        await morph.loadMorph();
        return new texts.TextMaker();
      });
      // A failed load is tried again on the next call, as loadMorph itself does.
      const m = await maker.catch((err: unknown) => {
        maker = undefined;
        throw err;
      });
      return tweets.map((t) => m.make(template, t, keepTooLong));
    },
  };
}

/**
 * Texts made on a worker thread. The thread does not keep the process alive while nothing is asked of it
 * (a tick exits as soon as its own work is done); an error or exit of the thread fails what was asked,
 * and the next `textEngine()` starts another.
 */
export class ThreadEngine implements TextEngine {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (t: Made[][]) => void; reject: (e: Error) => void }>();
  private next = 0;
  private failed: Error | null = null;

  /** Starts the thread: it reads its code at once, and the dictionaries when asked to load or make. */
  constructor(file: URL) {
    // Flags given to the CLI's node (a preloaded module, say) are not the thread's: it runs its own file only.
    this.worker = new Worker(file, { execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (reply: MakeReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in reply) p.reject(new Error(reply.error));
      else p.resolve(reply.texts);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the text worker stopped (exit code ${code})`)));
  }

  make(template: string, tweets: readonly string[], keepTooLong: boolean): Promise<Made[][]> {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      // Held while it is asked something: an answer awaited is work the process is not done with.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, template, tweets, keepTooLong } satisfies MakeRequest);
    });
  }

  load(): void {
    if (!this.failed) this.worker.postMessage({ load: true } satisfies WorkerRequest);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failed ??= err;
    if (shared === this) shared = null;
    for (const p of this.pending.values()) p.reject(this.failed);
    this.pending.clear();
  }
}
