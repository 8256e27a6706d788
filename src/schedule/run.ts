import { UsageError } from '../errors.js';

/** Every minute: how often the farm ticks unless told otherwise, by `tfctl run` and by the cron block. */
export const DEFAULT_SCHEDULE = '* * * * *';

export interface RunLoopOptions {
  /** A cron expression (five fields, or six with seconds first). */
  schedule: string;
  /** One tick. It should report its own failures; a throw is passed to onError and the loop goes on. */
  tick: () => Promise<void>;
  onError: (err: unknown) => void;
  /** A scheduled time came while the previous tick was still running: that time is skipped. */
  onOverlap?: () => void;
  /** Called once the schedule is accepted and running. */
  onStart?: () => void;
  /** Aborting stops the schedule; the loop resolves once the tick in progress has finished. */
  signal: AbortSignal;
}

/**
 * Ticks on a node-cron schedule in this process, for hosts without cron. Never two ticks at once:
 * a time that falls inside a running tick is skipped rather than queued, as cron with a lock would.
 */
export async function runLoop(opts: RunLoopOptions): Promise<void> {
  const cron = await import('node-cron');
  if (!cron.validate(opts.schedule)) {
    throw new UsageError(`invalid --schedule "${opts.schedule}": use a cron expression such as "*/5 * * * *" (minutes) or "*/10 * * * * *" (seconds)`);
  }
  if (opts.signal.aborted) return;
  let running: Promise<void> | null = null;
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const task = cron.createTask(
    opts.schedule,
    () => {
      if (opts.signal.aborted) return;
      if (running) {
        opts.onOverlap?.();
        return;
      }
      running = opts.tick().catch(opts.onError).finally(() => {
        running = null;
      });
    },
    { logger: quiet, suppressMissedWarning: true },
  );
  await task.start();
  opts.onStart?.();
  await new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
  await task.destroy();
  // Let the tick that was running when the stop came finish its work and bookkeeping.
  while (running) await running;
}
