import type { Command } from 'commander';
import type { Doctor } from '../../farm/doctor.js';
import type { CommandContext, Io } from '../context.js';
import { printJson } from '../output.js';

export interface ConfigOptions {
  json?: boolean;
}

/**
 * Reports the configuration and checks it. It reads the environment itself rather than a loaded
 * Config: a bad setting is what it is there to show, not a reason to stop. Returns the exit code.
 */
export async function run(opts: ConfigOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { diagnose } = await import('../../farm/doctor.js');
  const { exit_code: code, ...report } = await diagnose(env);
  if (opts.json) printJson(report, io);
  else io.out(human(report));
  return code;
}

function human(d: Omit<Doctor, 'exit_code'>): string {
  const state = (ok: boolean | null, good: string) => (ok === null ? '' : ok ? `ok: ${good}` : 'FAILED');
  const rows: Array<[string, string, string]> = [
    ['redis', `${d.redis.url}${d.redis.cluster ? ' (cluster)' : ''}`, state(d.redis.ok, `Redis ${d.redis.version ?? '?'}, ${d.redis.bots ?? 0} bot(s) under this prefix`)],
    ['prefix', d.prefix, ''],
    ['x api', `${d.x_api.url}${d.x_api.default ? ' (the real X API)' : ''}`, state(d.x_api.ok, `answers (HTTP ${d.x_api.status})`)],
    ['app keys', `consumer key ${d.app_keys.consumer_key}, consumer secret ${d.app_keys.consumer_secret}`, ''],
    ['influxdb', d.influx.url ?? 'not configured (TFCTL_INFLUX_URL)', state(d.influx.ok, `answers${d.influx.version ? ` (InfluxDB ${d.influx.version})` : ''}`)],
    ['log level', d.log_level, ''],
  ];
  const w = Math.max(...rows.filter((r) => r[2]).map((r) => r[1].length));
  let out = rows.map(([k, v, s]) => `${k.padEnd(10)}${s ? `${v.padEnd(w)}  ${s}` : v}`).join('\n') + '\n';
  out += d.problems.length ? `\nproblems:\n${d.problems.map((p) => `  - ${p}`).join('\n')}\n` : '\nall good\n';
  return out;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('config')
    .alias('doctor')
    .description('which Redis, prefix, X API and InfluxDB this environment uses, whether each answers, and what is wrong')
    .option('--json', 'print JSON')
    .action(async (opts: ConfigOptions) => {
      process.exitCode = await run(opts, ctx.io);
    });
}
