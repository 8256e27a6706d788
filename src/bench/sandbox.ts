/**
 * How many signed POST /2/tweets the sandbox serves per second, so farm benchmarks can be sure they
 * measure the farm. The sandbox runs on this (main) thread; the load client runs in a worker thread
 * (sandbox-load.ts) on the other core. The server thread's event-loop utilisation is reported too:
 * near 1.0 means the number is the server's ceiling, well below 1.0 means the client was the limit.
 */
import { existsSync } from 'node:fs';
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
    const warm = setTimeout(() => (elu0 = performance.eventLoopUtilization()), job.warmupSeconds * 1000);
    const result = await new Promise<LoadResult>((resolve, reject) => {
      worker.once('message', (m: LoadResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
      worker.once('error', reject);
    });
    clearTimeout(warm);
    const elu = performance.eventLoopUtilization(elu0).utilization;
    await worker.terminate();
    return {
      sandbox_posts_per_s: Math.round((result.ok / result.elapsedMs) * 1000),
      sandbox_server_elu: Math.round(elu * 100) / 100,
      sandbox_failed: result.failed,
    };
  } finally {
    clearInterval(ticker);
    await sb.close();
  }
}
