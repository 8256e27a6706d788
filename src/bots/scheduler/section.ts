import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { textHash } from '../../store/posts.js';
import { SectionItemError, type BotSection } from '../types.js';
import type { DraftLine } from './drafts.js';
import { DraftStore, type Draft } from './store.js';

/** A draft as a farm file declares it: its text, and where it was written (kept as the draft's `from`). */
interface DeclaredDraft {
  text: string;
  from: string;
}

/** A draft in one line of diff: its start, quoted. */
const cut = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > 40 ? `${flat.slice(0, 40)}…` : flat);
};
const lines = (remove: Array<{ text: string }>, add: Array<{ text: string }>): string | undefined =>
  remove.length || add.length ? [...remove.map((d) => `- ${cut(d.text)}`), ...add.map((d) => `+ ${cut(d.text)}`)].join('\n') : undefined;

const wanted = (value: unknown): Array<Omit<Draft, 'id' | 'added_at'>> => (value as DeclaredDraft[]).map((d) => ({ text: d.text, hash: textHash(d.text), from: d.from }));

/** Each item's drafts: an inline text is one; `{file: path}` is every draft of that file, read as `drafts add` reads it. */
function sources(value: unknown[], farmFile: string, split: (text: string) => DraftLine[], tidy: (text: string) => string) {
  return value.map((item, i) => {
    if (item === null || item === undefined || typeof item === 'string') {
      return { item: i, label: `draft ${i + 1}`, inline: true, drafts: [{ text: tidy(item ?? ''), line: 1 }] };
    }
    if (typeof item !== 'object' || Array.isArray(item)) throw new SectionItemError(`draft ${i + 1} must be a text or file: a draft file`, i);
    const o = item as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => k !== 'file');
    if (unknown.length) throw new SectionItemError(`draft ${i + 1}: unknown key "${unknown[0]}": an item is a draft's text, or file: a draft file`, i);
    if (typeof o.file !== 'string' || !o.file) throw new SectionItemError(`draft ${i + 1}: file: needs the path of a draft file`, i);
    const path = resolve(dirname(farmFile), o.file);
    let text: string;
    try {
      if (statSync(path).isDirectory()) throw new SectionItemError(`draft file ${o.file} is a folder: name a file`, i);
      text = readFileSync(path).toString('utf8');
    } catch (err) {
      if (err instanceof SectionItemError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new SectionItemError(`cannot read the draft file ${o.file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, i);
    }
    if (text.includes('\uFFFD')) throw new SectionItemError(`draft file ${o.file} is not UTF-8 text`, i);
    return { item: i, label: o.file, inline: false, drafts: split(text) };
  });
}

/**
 * The `drafts` section of a scheduler in a farm file: a list of drafts, each a text or `{file: path}`
 * (path from the farm file's folder; one draft per line or blocks between `---` lines, as `drafts add`
 * reads). Checked as `drafts add` checks (empty, 280 weighted characters, given twice); a bad one refuses
 * the file. Apply queues, at the end and in file order, each draft the bot never had, and removes queued
 * drafts the file no longer has; posted drafts are history, kept whatever the file says.
 */
export const draftsSection: BotSection = {
  key: 'drafts',
  help: 'its drafts: each a text, or file: a draft file (one per line, or blocks between --- lines)',
  async parse(value, _bot, _settings, from) {
    if (value === null || value === undefined || value === '') return [];
    if (!Array.isArray(value)) throw new UsageError('drafts must be a list: each item a draft\'s text, or file: a draft file');
    // The checks need X's weighing (twitter-text): loaded only when a farm file has drafts.
    const { checkDrafts, splitDrafts, tidyDraft } = await import('./drafts.js');
    const items = sources(value, from.file, splitDrafts, tidyDraft);
    const itemOf = new Map<string, { item: number; inline: boolean }>();
    const at = (label: string, line: number, inline: boolean) => (inline ? label : `${label}:${line}`);
    const checked = checkDrafts(
      items.map((s) => {
        for (const d of s.drafts) itemOf.set(`${s.label}:${d.line}`, { item: s.item, inline: s.inline });
        return { file: s.label, drafts: s.drafts };
      }),
      new Map(),
    );
    const first = checked.refused[0];
    if (first) {
      const { item, inline } = itemOf.get(first.at)!;
      // "duplicate of draft 1:1" reads "duplicate of draft 1" for an inline one.
      const reason = first.reason.replace(/^duplicate of (.+):(\d+)$/, (_, label: string, line: string) => `duplicate of ${at(label, Number(line), itemOf.get(`${label}:${line}`)?.inline ?? false)}`);
      throw new SectionItemError(`${inline ? `draft ${item + 1}` : `draft file ${first.at}`}: ${reason}`, item);
    }
    return checked.ok.map((d): DeclaredDraft => {
      const where = itemOf.get(d.from)!;
      return { text: d.text, from: where.inline ? from.file : d.from };
    });
  },
  /** The queue, in order: what export writes (posted drafts are history, not part of the declared farm). */
  async read(bot, ctx) {
    const rows = await new DraftStore(ctx.redis, ctx.store.keys, bot.name).rows(false);
    return rows.map((r) => r.text);
  },
  async write(bot, value, ctx) {
    await new DraftStore(ctx.redis, ctx.store.keys, bot.name).sync(wanted(value), ctx.now());
  },
  async compare(bot, value, ctx) {
    const { remove, add } = await new DraftStore(ctx.redis, ctx.store.keys, bot.name).syncPlan(wanted(value));
    return lines(remove, add);
  },
  summary(_from, to) {
    return lines([], to as DeclaredDraft[]) ?? 'none';
  },
};
