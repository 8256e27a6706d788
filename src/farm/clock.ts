import { OperationalError, UsageError } from '../errors.js';

/** Where the farm reads "now": every due time, tick time and stats hour goes through one of these. */
export interface Clock {
  kind: 'system' | 'sandbox';
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { kind: 'system', now: Date.now };

/**
 * The clock a command uses, from TFCTL_CLOCK: the system's (default), or with `sandbox` the X API
 * sandbox's (`GET /sandbox/clock` at TFCTL_X_API, read once per command), so a rehearsal can move a
 * whole farm through hours and days with `POST /sandbox/clock`. Between readings it runs at the system's pace.
 */
export async function openClock(config: { clock?: string | undefined; xApi?: string | undefined }): Promise<Clock> {
  const kind = config.clock || 'system';
  if (kind === 'system') return systemClock;
  if (kind !== 'sandbox') throw new UsageError(`invalid TFCTL_CLOCK "${kind}": use system or sandbox`);
  if (!config.xApi) throw new UsageError('TFCTL_CLOCK=sandbox needs TFCTL_X_API: the sandbox whose clock to follow');
  const url = `${config.xApi.replace(/\/+$/, '')}/sandbox/clock`;
  let body: { now_ms?: unknown };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = (await res.json()) as { now_ms?: unknown };
  } catch (err) {
    throw new OperationalError(`cannot read the sandbox's clock at ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof body.now_ms !== 'number' || !Number.isFinite(body.now_ms)) throw new OperationalError(`the sandbox's clock at ${url} answered without now_ms`);
  const offset = body.now_ms - Date.now();
  return { kind: 'sandbox', now: () => Date.now() + offset };
}
