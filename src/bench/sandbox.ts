/**
 * How many signed POST /2/tweets the sandbox serves per second, so farm benchmarks can be sure they
 * measure the farm. The sandbox runs on this (main) thread; the load client runs in a worker thread
 * (sandbox-load.ts) on the other core. The server thread's event-loop utilisation is reported too:
 * near 1.0 means the number is the server's ceiling, well below 1.0 means the client was the limit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startSandbox } from '../sandbox/server.js';
import type { LoadJob, LoadResult } from './sandbox-load.js';

export interface SandboxBenchResult {
  sandbox_posts_per_s: number;
  /** event-loop utilisation of the server thread during the measured window (0–1) */
  sandbox_server_elu: number;
  sandbox_failed: number;
  /**
   * Posts served per second of the server thread's own CPU time (Linux /proc; absent elsewhere):
   * what one free core would sustain, unaffected by other processes competing for the machine.
   */
  sandbox_posts_per_server_cpu_s?: number;
}

/** CPU time (ms) of the main thread, whose tid is the pid on Linux; undefined if unavailable. */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function workerFile(): URL {
  const here = new URL('./sandbox-load.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // Running from src/ under a TS loader (vitest): use the built worker.
  return new URL('../../dist/bench/sandbox-load.js', import.meta.url);
}

export async function benchSandbox(
  opts: { seconds?: number; accounts?: number; concurrency?: number; client?: LoadJob['client'] } = {},
): Promise<SandboxBenchResult> {
  const seconds = opts.seconds ?? 3;
  const sb = await startSandbox({ port: 0, tier: 'pro', seed: false });
  // Pro allows 100 posts / 15 min per user and 10,000 / day per app: keep the real limiter in the
  // path, but jump the clock a day every half second so the budget never runs out mid-run.
  const accounts = [];
  for (let i = 0; i < (opts.accounts ?? 256); i++) {
    const res = await fetch(`${sb.url}/sandbox/accounts`, { method: 'POST', body: JSON.stringify({ username: `load_${i}` }) });
    accounts.push((await res.json()) as { token: string; secret: string });
  }
  const app = (await (await fetch(`${sb.url}/sandbox/app`)).json()) as LoadJob['app'];
  const ticker = setInterval(() => {
    sb.state.offsetMs += 86_401_000;
  }, 500);
  const job: LoadJob = { url: sb.url, app, accounts, seconds, warmupSeconds: 0.5, concurrency: opts.concurrency ?? 32, client: opts.client ?? 'lean' };
  try {
    const worker = new Worker(workerFile(), { workerData: job });
    let elu0 = performance.eventLoopUtilization();
    let cpu0 = mainThreadCpuMs();
    const warm = setTimeout(() => {
      elu0 = performance.eventLoopUtilization();
      cpu0 = mainThreadCpuMs();
    }, job.warmupSeconds * 1000);
    const result = await new Promise<LoadResult>((resolve, reject) => {
      worker.once('message', (m: LoadResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
      worker.once('error', reject);
    });
    clearTimeout(warm);
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const cpu1 = mainThreadCpuMs();
    await worker.terminate();
    const out: SandboxBenchResult = {
      sandbox_posts_per_s: Math.round((result.ok / result.elapsedMs) * 1000),
      sandbox_server_elu: Math.round(elu * 100) / 100,
      sandbox_failed: result.failed,
    };
    // The window is the worker's measured one, within a tick (10 ms) of this thread's timer.
    if (cpu0 !== undefined && cpu1 !== undefined && cpu1 > cpu0) {
      out.sandbox_posts_per_server_cpu_s = Math.round((result.ok / (cpu1 - cpu0)) * 1000);
    }
    return out;
  } finally {
    clearInterval(ticker);
    await sb.close();
  }
}
