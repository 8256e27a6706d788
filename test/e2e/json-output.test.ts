import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runCli } from '../helpers/inproc.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * One convention for every --json (README, "Machine output"): snake_case keys, ISO-8601 times (`*_at`),
 * durations as "2h" with the seconds beside them (`<name>_s`), and one shape for a bot in create, set,
 * show and list.
 */
let redis: PrivateRedis;
let sb: TestSandbox;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  sb = await startTestSandbox({ tier: 'pro' });
  env = { REDIS_URL: redis.url, TFCTL_PREFIX: 'j', ...sb.cliEnv, XDG_CONFIG_HOME: '/nonexistent-tfctl-test' };
  dir = mkdtempSync(join(tmpdir(), 'tfctl-json-'));
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function json(args: string[], extra: Record<string, string> = {}): Promise<unknown> {
  const r = await runCli([...args, '--json'], loadConfig({ ...env, ...extra }));
  // A failure (a bot's tick, a check of `config`) still prints its JSON; a usage error of the test's own would not.
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { no_json_document: `${args.join(' ')} --json (exit ${r.code}): ${r.stdout.slice(0, 200)} ${r.stderr.slice(0, 200)}` };
  }
}

/** Maps whose keys are data (endpoint names, counter names, hours…), not field names: their keys are not checked. */
const DATA_MAPS = new Set(['pauses', 'counters', 'by_type', 'x_calls_by_endpoint', 'requests']);

/** Every key path that breaks the convention, with why. */
function offences(value: unknown, path = '$'): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...offences(v, `${path}[${i}]`)));
  else if (value && typeof value === 'object') {
    const last = path.split('.').at(-1)!;
    for (const [k, v] of Object.entries(value)) {
      const p = `${path}.${k}`;
      if (!DATA_MAPS.has(last) && !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(k)) out.push(`${p}: not snake_case`);
      if (/_at$/.test(k) && v !== null && !(typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v))) out.push(`${p}: not an ISO-8601 time (${JSON.stringify(v)})`);
      if (typeof v === 'string' && /^(\d+[smhd])+$/.test(v) && !DATA_MAPS.has(last)) {
        const s = (value as Record<string, unknown>)[`${k}_s`];
        if (typeof s !== 'number') out.push(`${p}: a duration without ${k}_s`);
      }
      out.push(...offences(v, p));
    }
  }
  return out;
}

describe('--json everywhere', () => {
  it('follows one convention in every command, and gives a bot one shape', async () => {
    const owner = await sb.account('owner');
    const out: Record<string, unknown> = {};
    out.create = await json(['create', 'r1', 'reader', '--every', '1h', '--token', owner.token, '--secret', owner.secret]);
    out.createWriter = await json(['create', 'w1', 'writer', '--source', 'r1', '--template', '%s!', '--every', '90m']);
    out.set = await json(['set', 'r1', 'every=2h']);
    out.show = await json(['show', 'r1']);
    out.showWriter = await json(['show', 'w1']);
    out.list = await json(['list']);
    out.tick = await json(['tick', '--force']);
    out.stats = await json(['stats', '--no-influx']);
    out.kinds = await json(['kinds']);
    out.config = await json(['config']);
    out.preview = await json(['preview', 'w1', '--text', 'кошка']);
    out.inflect = await json(['inflect', 'кошка', 'gent,plur']);
    out.cron = await json(['cron']);
    const file = join(dir, 'farm.tar.gz');
    out.export = await json(['export', file]);
    out.import = await json(['import', file], { TFCTL_PREFIX: 'j2' });
    out.destroy = await json(['destroy', 'w1', '--yes']);

    const bad = Object.entries(out).flatMap(([cmd, v]) => [...offences(v, cmd), ...(typeof v === 'object' && v && 'no_json_document' in v ? [String(v.no_json_document)] : [])]);
    expect(bad).toEqual([]);

    // One bot shape: create, set and show print the same fields; a list entry is the same minus the settings.
    const keys = (v: unknown) => Object.keys(v as object).sort();
    expect(keys(out.set)).toEqual(keys(out.create));
    expect(keys(out.show)).toEqual(keys(out.create));
    const entry = (out.list as Array<Record<string, unknown>>).find((b) => b.name === 'r1')!;
    for (const k of Object.keys(entry)) expect(keys(out.show), k).toContain(k);
    expect(entry.every).toBe('2h');
    expect(entry.every_s).toBe(7200);
    expect((out.show as Record<string, unknown>).every_s).toBe(7200);
    expect((out.createWriter as Record<string, unknown>).per_tick).toBe(1);
  }, 60_000);
});
