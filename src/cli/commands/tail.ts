import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { kindOf, SOURCE_KINDS } from '../../bots/index.js';
import { parseCount } from '../../bots/values.js';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { followStream } from '../follow.js';

export interface TailOptions {
  name: string;
  follow?: boolean;
  json?: boolean;
  /** How many of the newest tweets to print first (default 10; with --follow too). */
  lines?: string;
  /** For tests: stop following after this many ms. */
  forMs?: number;
}

/** A stream entry as one JSON object: its fields, matching_rules parsed, the entry id as `entry`. */
function record(id: string, flat: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const k = flat[i]!;
    const v = flat[i + 1]!;
    if (k === 'matching_rules') {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    } else out[k] = v;
  }
  out.entry = id;
  return out;
}

function print(io: Io, json: boolean | undefined, id: string, flat: string[]): void {
  const r = record(id, flat);
  if (json) {
    io.out(`${JSON.stringify(r)}\n`);
    return;
  }
  const rules = Array.isArray(r.matching_rules) ? ` [${(r.matching_rules as Array<{ id: string; tag?: string }>).map((m) => m.tag ?? m.id).join(', ')}]` : '';
  io.out(`${r.created_at ?? ''}  @${r.author ?? ''}  ${String(r.text ?? '').replace(/\s+/g, ' ')}${rules}\n`);
}

/**
 * `tfctl tail <source>`: a source's tweets, oldest first; with --follow, new ones as they arrive
 * (XREAD BLOCK on its stream, a connection of its own). Reading takes nothing from any consumer.
 */
export async function run(opts: TailOptions, io: Io, config: Config): Promise<void> {
  const name = botName(opts.name);
  const count = opts.lines !== undefined ? parseCount(opts.lines, 'lines', 0, 100000) : 10;
  let last = '0-0';
  let key = '';
  await withFarm(config, async (farm) => {
    const bot = await farm.store.require(name);
    if (kindOf(bot.role)?.family !== 'source') throw new UsageError(`${name} is a ${bot.role}, not a source (sources: ${SOURCE_KINDS.join(', ')})`);
    key = farm.store.keys.timeline(name);
    const newest = count ? await farm.redis.xrevrange(key, '+', '-', 'COUNT', count) : [];
    for (const [id, flat] of newest.reverse()) print(io, opts.json, id, flat);
    const top = await farm.redis.xrevrange(key, '+', '-', 'COUNT', 1);
    if (top[0]) last = top[0][0];
  });
  if (!opts.follow) return;
  await followStream(config.redisUrl, config.redisCluster, key, last, opts.forMs, (id, flat) => print(io, opts.json, id, flat));
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('tail')
    .description("a source's tweets (a reader's or a collector's stream), newest last; --json for NDJSON")
    .argument('<source>')
    .option('-f, --follow', 'keep printing new tweets as they arrive (Ctrl-C stops)')
    .option('-n, --lines <n>', 'how many of the newest to print first', '10')
    .option('--json', 'one JSON object per line (NDJSON), with matching_rules')
    .action((name: string, opts: Omit<TailOptions, 'name'>) => run({ name, ...opts }, ctx.io, ctx.config()));
}
