import type { Command } from 'commander';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { botName } from '../../bots/bot.js';
import { kindOf, KINDS } from '../../bots/index.js';
import { checkDrafts, splitDrafts, type DraftLine } from '../../bots/scheduler/drafts.js';
import { DraftStore, type DraftRow } from '../../bots/scheduler/store.js';
import type { Config } from '../../config.js';
import { OperationalError, UsageError } from '../../errors.js';
import type { Farm } from '../../farm/farm.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson, printTable } from '../output.js';

/**
 * `tfctl drafts add|list|rm|move|export`: the queue of a scheduler (src/bots/scheduler). Drafts are
 * read from files, a directory's *.txt, or stdin (`-`), one per line or in blocks between `---` lines.
 */

async function draftStore(farm: Farm, name: string): Promise<DraftStore> {
  const bot = await farm.store.require(botName(name));
  if (bot.role !== 'scheduler') {
    const has = KINDS.filter((k) => k.name === 'scheduler').map((k) => k.plural);
    throw new UsageError(`${bot.name} is a ${kindOf(bot.role)?.name ?? bot.role}, which has no drafts (${has.join(', ')} have)`);
  }
  return new DraftStore(farm.redis, farm.store.keys, bot.name);
}

export interface AddOptions {
  name: string;
  sources: string[];
  strict?: boolean;
  json?: boolean;
  /** Reads stdin (for `-`); the program's reads the process's. */
  stdin?: () => Promise<string>;
}

/** Every file named: a directory gives its *.txt in name order. */
async function readSources(sources: string[], stdin: () => Promise<string>): Promise<Array<{ file: string; drafts: DraftLine[] }>> {
  const out: Array<{ file: string; drafts: DraftLine[] }> = [];
  for (const src of sources) {
    if (src === '-') {
      out.push({ file: '-', drafts: splitDrafts(await stdin()) });
      continue;
    }
    let files = [src];
    try {
      if ((await stat(src)).isDirectory()) files = (await readdir(src)).filter((n) => n.endsWith('.txt')).sort().map((n) => join(src, n));
    } catch (err) {
      throw new OperationalError(`cannot read ${src}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    for (const f of files) {
      const buf = await readFile(f).catch((err: Error) => {
        throw new OperationalError(`cannot read ${f}: ${err.message}`);
      });
      const text = buf.toString('utf8');
      if (text.includes('\uFFFD')) throw new UsageError(`${f} is not UTF-8 text`);
      out.push({ file: f, drafts: splitDrafts(text) });
    }
  }
  return out;
}

export async function add(opts: AddOptions, io: Io, config: Config): Promise<void> {
  if (opts.sources.length === 0) throw new UsageError('name a file, a directory or - (stdin)');
  if (opts.sources.filter((s) => s === '-').length > 1) throw new UsageError('stdin (-) can be read once');
  const stdin = opts.stdin ?? readStdin;
  const result = await withFarm(config, async (farm) => {
    const store = await draftStore(farm, opts.name);
    const sources = await readSources(opts.sources, stdin);
    const checked = checkDrafts(sources, await store.hashes());
    for (const r of checked.refused) io.err(`${r.at}: ${r.reason}${opts.strict ? '' : ' (skipped)'}\n`);
    if (opts.strict && checked.refused.length) return { checked, added: undefined };
    return { checked, added: await store.add(checked.ok, farm.now()) };
  });
  const { checked, added } = result;
  if (!added) throw new UsageError(`nothing imported: ${checked.refused.length} draft(s) refused (--strict)`);
  if (opts.json) return printJson({ added: added.map((d) => ({ id: d.id, from: d.from, text: d.text })), refused: checked.refused }, io);
  io.out(`added ${added.length} draft(s) to ${botName(opts.name)}${checked.refused.length ? `; ${checked.refused.length} refused` : ''}\n`);
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve(text)).on('error', reject);
  });
}

const rowJson = (r: DraftRow) => ({
  id: r.id,
  status: r.status,
  position: r.position ?? null,
  text: r.text,
  uses: r.uses,
  from: r.from ?? null,
  added_at: new Date(r.added_at).toISOString(),
  last_posted_at: r.last_posted_at ? new Date(r.last_posted_at).toISOString() : null,
});

export async function list(opts: { name: string; all?: boolean; json?: boolean }, io: Io, config: Config): Promise<void> {
  const rows = await withFarm(config, async (farm) => (await draftStore(farm, opts.name)).rows(opts.all === true));
  if (opts.json) return printJson(rows.map(rowJson), io);
  if (rows.length === 0) return void io.out(opts.all ? 'no drafts\n' : 'the queue is empty\n');
  const headers = opts.all ? ['#', 'ID', 'STATUS', 'USES', 'TEXT'] : ['#', 'ID', 'TEXT'];
  printTable(headers, rows.map((r) => {
    const text = r.text.replace(/\s+/g, ' ');
    return opts.all ? [String(r.position ?? '-'), r.id, r.status, String(r.uses), text] : [String(r.position), r.id, text];
  }), io);
}

export async function rm(opts: { name: string; ids: string[] }, io: Io, config: Config): Promise<void> {
  const unknown = await withFarm(config, async (farm) => (await draftStore(farm, opts.name)).rm(opts.ids));
  if (unknown.length === opts.ids.length) throw new UsageError(`no draft ${unknown.join(', ')} in ${botName(opts.name)}`);
  for (const id of unknown) io.err(`no draft ${id} in ${botName(opts.name)}\n`);
  io.out(`removed draft(s) ${opts.ids.filter((i) => !unknown.includes(i)).join(', ')} from ${botName(opts.name)}\n`);
}

export async function move(opts: { name: string; id: string; to: string }, io: Io, config: Config): Promise<void> {
  if (!/^\d+$/.test(opts.to) || Number(opts.to) < 1) throw new UsageError(`--to must be a place in the queue, 1 or more, not "${opts.to}"`);
  const place = await withFarm(config, async (farm) => (await draftStore(farm, opts.name)).move(opts.id, Number(opts.to)));
  if (place === undefined) throw new UsageError(`draft ${opts.id} is not in ${botName(opts.name)}'s queue`);
  io.out(`draft ${opts.id} is now number ${place} in ${botName(opts.name)}'s queue\n`);
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Every draft: as a file `drafts add` reads back (blocks between --- lines), or CSV with its status. */
export async function exportDrafts(opts: { name: string; csv?: boolean }, io: Io, config: Config): Promise<void> {
  const rows = await withFarm(config, async (farm) => (await draftStore(farm, opts.name)).rows(true));
  if (opts.csv) {
    io.out('id,status,position,uses,added_at,last_posted_at,text\n');
    for (const r of rows) {
      const j = rowJson(r);
      io.out([j.id, j.status, String(j.position ?? ''), String(j.uses), j.added_at, j.last_posted_at ?? '', j.text].map(csvCell).join(',') + '\n');
    }
    return;
  }
  io.out(rows.map((r) => `${r.text}\n`).join('---\n'));
}

export function register(program: Command, ctx: CommandContext): void {
  const drafts = program.command('drafts').description("a scheduler's queue of drafts: add, list, rm, move, export");
  drafts
    .command('add')
    .description('add drafts from files, directories (their *.txt) or - (stdin): one per line, or blocks between --- lines')
    .argument('<name>')
    .argument('<sources...>')
    .option('--strict', 'import nothing (exit 2) if any draft is refused')
    .option('--json', 'print what was added and refused as JSON')
    .action((name: string, sources: string[], opts: { strict?: boolean; json?: boolean }) => add({ name, sources, ...opts }, ctx.io, ctx.config()));
  drafts
    .command('list')
    .description('the queue in posting order; --all adds posted and refused drafts')
    .argument('<name>')
    .option('--all', 'every draft, with its status and uses')
    .option('--json', 'print JSON')
    .action((name: string, opts: { all?: boolean; json?: boolean }) => list({ name, ...opts }, ctx.io, ctx.config()));
  drafts
    .command('rm')
    .description('remove drafts by id')
    .argument('<name>')
    .argument('<ids...>')
    .action((name: string, ids: string[]) => rm({ name, ids }, ctx.io, ctx.config()));
  drafts
    .command('move')
    .description('move a queued draft to place N (1 = posted next)')
    .argument('<name>')
    .argument('<id>')
    .requiredOption('--to <n>', 'its new place in the queue')
    .action((name: string, id: string, opts: { to: string }) => move({ name, id, to: opts.to }, ctx.io, ctx.config()));
  drafts
    .command('export')
    .description('every draft, as a file drafts add reads back (--- between drafts), or --csv with status and uses')
    .argument('<name>')
    .option('--csv', 'CSV: id, status, position, uses, added_at, last_posted_at, text')
    .action((name: string, opts: { csv?: boolean }) => exportDrafts({ name, ...opts }, ctx.io, ctx.config()));
  for (const c of drafts.commands) c.exitOverride();
}
