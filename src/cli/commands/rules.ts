import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { kindOf, KINDS } from '../../bots/index.js';
import { buildQuery, checkRule, RULE_TYPES, Rules, type Rule, type RuleType } from '../../bots/rules.js';
import type { BotKind } from '../../bots/types.js';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import type { Bot } from '../../store/bot-record.js';
import type { Farm } from '../../farm/farm.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson, printTable } from '../output.js';

/**
 * `tfctl rules add|list|rm|test|import`: the X queries a bot works by, for every kind that declares
 * rules (BotKind.rules). Each change moves the bot's rules version and is published on `<prefix>:rules`.
 */

async function ruleBot(farm: Farm, name: string): Promise<{ bot: Bot; kind: BotKind & Required<Pick<BotKind, 'rules'>> }> {
  const bot = await farm.store.require(botName(name));
  const kind = kindOf(bot.role);
  if (!kind?.rules) {
    const withRules = KINDS.filter((k) => k.rules).map((k) => k.name);
    throw new UsageError(`${bot.name} is a ${bot.role}, which has no rules (kinds with rules: ${withRules.join(', ')})`);
  }
  return { bot, kind: kind as BotKind & Required<Pick<BotKind, 'rules'>> };
}

function ruleType(raw: string | undefined): RuleType {
  const t = (raw ?? 'track').toLowerCase();
  if (!(RULE_TYPES as readonly string[]).includes(t)) throw new UsageError(`--type must be one of ${RULE_TYPES.join(', ')}, not "${raw}"`);
  return t as RuleType;
}

export interface AddOptions {
  name: string;
  query: string[];
  tag?: string;
  type?: string;
  json?: boolean;
}

export async function add(opts: AddOptions, io: Io, config: Config): Promise<void> {
  const type = ruleType(opts.type);
  const value = buildQuery(type, opts.query.join(' '));
  const added = await withFarm(config, async (farm) => {
    const { bot, kind } = await ruleBot(farm, opts.name);
    return new Rules(farm.redis, farm.store.keys).add(bot.name, [{ value, tag: opts.tag, type }], kind.rules.limits(bot), farm.now());
  });
  if (opts.json) return printJson(added[0], io);
  io.out(`rule ${added[0]!.id} added to ${botName(opts.name)}: ${value}\n`);
}

export interface ListOptions {
  name?: string;
  json?: boolean;
}

export async function list(opts: ListOptions, io: Io, config: Config): Promise<void> {
  const rows = await withFarm(config, async (farm) => {
    const rules = new Rules(farm.redis, farm.store.keys);
    const names = opts.name ? [(await ruleBot(farm, opts.name)).bot.name] : await ruleBots(farm);
    const out: Array<Rule & { bot: string; version: number }> = [];
    for (const n of names) {
      const version = await rules.version(n);
      for (const r of await rules.list(n)) out.push({ bot: n, ...r, version });
    }
    return out;
  });
  if (opts.json) return printJson(rows.map(({ bot, id, value, tag, type, created_at }) => ({ bot, id, value, tag: tag ?? null, type, created_at: new Date(created_at).toISOString() })), io);
  if (!rows.length) {
    io.out('no rules\n');
    return;
  }
  printTable(['BOT', 'ID', 'TYPE', 'TAG', 'QUERY'], rows.map((r) => [r.bot, r.id, r.type, r.tag ?? '', r.value]), io);
}

async function ruleBots(farm: Farm): Promise<string[]> {
  const out: string[] = [];
  for (const b of await farm.store.all()) if (kindOf(b.role)?.rules) out.push(b.name);
  return out.sort();
}

export async function rm(opts: { name: string; ids: string[] }, io: Io, config: Config): Promise<void> {
  await withFarm(config, async (farm) => {
    const { bot } = await ruleBot(farm, opts.name);
    await new Rules(farm.redis, farm.store.keys).remove(bot.name, opts.ids);
  });
  io.out(`removed rule(s) ${opts.ids.join(', ')} from ${botName(opts.name)}\n`);
}

export interface TestOptions {
  name: string;
  text: string;
  author?: string;
  json?: boolean;
}

/** Which of a bot's rules a tweet with this text (and author) would match, and why each did or did not. */
export async function test(opts: TestOptions, io: Io, config: Config): Promise<void> {
  const { explain, matches } = await import('../../xquery/index.js');
  const rules = await withFarm(config, async (farm) => {
    const { bot } = await ruleBot(farm, opts.name);
    return new Rules(farm.redis, farm.store.keys).list(bot.name);
  });
  const author = (opts.author ?? '').replace(/^@/, '');
  const tweet = { id: '1', text: opts.text, author_id: /^\d+$/.test(author) ? author : '0', author_username: /^\d+$/.test(author) ? '' : author };
  const results = rules.map((r) => {
    const q = checkRule(r.value, { count: Infinity, length: Infinity, why: '' });
    return { id: r.id, value: r.value, tag: r.tag ?? null, matches: matches(q, tweet), why: explain(q, tweet).reason };
  });
  if (opts.json) return printJson({ text: opts.text, author: author || null, matching_rules: results.filter((r) => r.matches).map((r) => ({ id: r.id, tag: r.tag })), rules: results }, io);
  for (const r of results) io.out(`${r.matches ? 'match   ' : 'no match'}  ${r.id}  ${r.value}${r.tag ? `  [${r.tag}]` : ''}\n          ${r.why}\n`);
  if (!results.length) io.out('no rules\n');
  else {
    // The verdict last: what the bot would do with such a tweet (a collector collects it, a retweeter retweets it).
    const hit = results.filter((r) => r.matches);
    io.out(hit.length ? `matched by rule ${hit.map((r) => r.id).join(', ')}\n` : `no rule matched (${results.length} tried)\n`);
  }
}

export interface ImportOptions {
  name: string;
  traptor?: boolean;
  type?: string;
  id?: string;
  from?: string;
  json?: boolean;
}

/** `rules import <bot> --traptor`: Traptor's rule hashes (the farm's Redis or --from) as rules of this bot. */
export async function importRules(opts: ImportOptions, io: Io, config: Config): Promise<void> {
  if (!opts.traptor) throw new UsageError('rules import reads Traptor rules: give --traptor');
  const { convert, readTraptorRules } = await import('../../bots/collector/traptor.js');
  const result = await withFarm(config, async (farm) => {
    const { bot, kind } = await ruleBot(farm, opts.name);
    const limits = kind.rules.limits(bot);
    const { connectRedis } = await import('../../store/connect.js');
    const src = opts.from ? await connectRedis(opts.from) : farm.redis;
    try {
      const found = await readTraptorRules(src, { type: opts.type, id: opts.id });
      if (!found.length) throw new UsageError(`no Traptor rules (traptor-${opts.type ?? '*'}:${opts.id ?? '*'}:*) in ${opts.from ? 'that Redis' : "the farm's Redis"}`);
      const store = new Rules(farm.redis, farm.store.keys);
      const have = new Set((await store.list(bot.name)).map((r) => r.value));
      const fresh: Array<Pick<Rule, 'value' | 'tag' | 'type'>> = [];
      const skipped: string[] = [];
      const from: string[] = [];
      for (const t of found) {
        let r: Pick<Rule, 'value' | 'tag' | 'type'>;
        try {
          r = convert(t);
          checkRule(r.value, limits);
        } catch (err) {
          throw new UsageError(`${t.key}: ${(err as Error).message}`);
        }
        if (have.has(r.value)) skipped.push(t.key);
        else {
          have.add(r.value);
          fresh.push(r);
          from.push(t.key);
        }
      }
      const added = await store.add(bot.name, fresh, limits, farm.now());
      return { bot: bot.name, imported: added.map((r, i) => ({ from: from[i]!, id: r.id, value: r.value, tag: r.tag ?? null, type: r.type })), skipped };
    } finally {
      if (src !== farm.redis) await src.quit().catch(() => src.disconnect());
    }
  });
  if (opts.json) return printJson(result, io);
  for (const r of result.imported) io.out(`${r.from} → rule ${r.id}: ${r.value}\n`);
  io.out(`imported ${result.imported.length} Traptor rule(s) into ${result.bot}${result.skipped.length ? `; ${result.skipped.length} already there` : ''}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  const rules = program.command('rules').description('the X queries a collector or a retweeter (any kind with rules) works by');
  rules
    .command('add')
    .description('add a rule: an X query, or user ids (--type follow) or bounding boxes (--type locations)')
    .argument('<name>')
    .argument('<query...>')
    .option('--tag <tag>', 'a tag carried by every tweet the rule matches')
    .option('--type <type>', 'track (a query, the default), follow (user ids → from:), locations ("w s e n" → bounding_box:)')
    .option('--json', 'print the rule as JSON')
    .action((name: string, query: string[], opts: Omit<AddOptions, 'name' | 'query'>) => add({ name, query, ...opts }, ctx.io, ctx.config()));
  rules
    .command('list')
    .description("a bot's rules, or every bot's")
    .argument('[name]')
    .option('--json', 'print JSON')
    .action((name: string | undefined, opts: ListOptions) => list({ ...opts, name }, ctx.io, ctx.config()));
  rules
    .command('rm')
    .description('remove rules by id')
    .argument('<name>')
    .argument('<ids...>')
    .action((name: string, ids: string[]) => rm({ name, ids }, ctx.io, ctx.config()));
  rules
    .command('test')
    .description("which of a bot's rules a tweet would match, and why")
    .argument('<name>')
    .requiredOption('--text <text>', "the tweet's text")
    .option('--author <name>', "the tweet's author (username or user id)")
    .option('--json', 'print JSON')
    .action((name: string, opts: Omit<TestOptions, 'name'>) => test({ name, ...opts }, ctx.io, ctx.config()));
  rules
    .command('import')
    .description("convert Traptor's rule hashes (traptor-<type>:<id>:<rule_id>) into rules of this bot")
    .argument('<name>')
    .option('--traptor', "read Traptor's rule hashes")
    .option('--type <type>', 'only this Traptor type: track, follow or locations')
    .option('--id <n>', 'only this Traptor id')
    .option('--from <url>', "the Redis holding them (default: the farm's)")
    .option('--json', 'print JSON')
    .action((name: string, opts: Omit<ImportOptions, 'name'>) => importRules({ name, ...opts }, ctx.io, ctx.config()));
  // Bad arguments to a subcommand are usage errors (exit 2), as for every other command.
  for (const c of rules.commands) c.exitOverride();
}
