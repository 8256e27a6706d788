/**
 * `npm run chaos -- --rounds 200 [--seed N]`: the fault harness's long run. Progress goes to stderr;
 * the last line on stdout is the JSON summary (counts per fault type). Exit 1 when an invariant broke.
 */
import { fileURLToPath } from 'node:url';
import { runChaos } from './harness.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`chaos: --${name} takes a positive whole number\n`);
    process.exit(2);
  }
  return v;
}

const rounds = arg('rounds', 42);
const seed = arg('seed', Date.now() % 100_000);
const bin = fileURLToPath(new URL('../../bin/tfctl', import.meta.url));
const started = Date.now();
const summary = await runChaos({ rounds, seed, bin, log: (line) => process.stderr.write(`${line}\n`) });
const ok = summary.lost + summary.posted_twice + summary.resent_posts + summary.crashed_ticks + summary.unexpected + summary.unsettled + summary.locks_past_ttl + summary.stale_intents === 0;
for (const v of summary.violations) process.stderr.write(`violation: ${v}\n`);
process.stdout.write(`${JSON.stringify({ ok, duration_s: Math.round((Date.now() - started) / 1000), ...summary })}\n`);
process.exitCode = ok ? 0 : 1;
