import type { Bot } from '../bots/bot.js';
import { TYPED } from '../bots/configure.js';
import { defaultOf, KINDS, schemaOf } from '../bots/index.js';
import type { Setting } from '../bots/settings.js';
import type { BotKind, BotSection, KindContext } from '../bots/types.js';
import type { BotChanges } from '../store/farm-store.js';
import { FarmFileError, type DesiredBot, type FarmFile, type Problem } from './parse.js';

/**
 * What `apply` would do to make the farm match a file, in the order it is safe to do it: sources are
 * created before the consumers that read them, changes follow (a consumer may move to a new source),
 * and with --prune consumers are destroyed before their sources. Bots whose settings change are
 * updated in place, so their caches, posted texts and counters stay.
 */

/** One field of a change, as `diff` shows it; a secret only says that it changes. */
export interface FieldChange {
  key: string;
  from?: unknown;
  to?: unknown;
  /** A secret: its values are never shown. */
  secret?: boolean;
  /** A section (rules, drafts…): what changes in it, in words. */
  summary?: string;
}

export interface SectionWrite {
  section: BotSection;
  value: unknown;
}

export interface BotCreate {
  name: string;
  kind: BotKind;
  desired: DesiredBot;
  /** Each setting it gets, as shown (secrets as "set"). */
  fields: FieldChange[];
  /** Settings create does not take (paused): changed right after the create. */
  after: BotChanges;
  sections: SectionWrite[];
}

export interface BotUpdate {
  name: string;
  kind: BotKind;
  bot: Bot;
  fields: FieldChange[];
  changes: BotChanges;
  sections: SectionWrite[];
}

export interface BotDestroy {
  name: string;
  role: string;
}

export interface Plan {
  create: BotCreate[];
  update: BotUpdate[];
  destroy: BotDestroy[];
  /** Bots of the farm the file does not name, kept because --prune was not given. */
  kept: string[];
}

export const planIsEmpty = (p: Plan): boolean => p.create.length + p.update.length + p.destroy.length === 0;

/** A setting's value as show and JSON print it (a duration as "1h"). */
export const shown = (s: Setting, v: unknown): unknown => (v === undefined ? null : s.value.show ? s.value.show(v as never) : v);

function current(bot: Bot, s: Setting): unknown {
  return TYPED.has(s.prop) ? (bot as unknown as Record<string, unknown>)[s.prop] : bot.settings[s.prop];
}

/** What a setting will be: the file's value, else its kind's default; undefined for a secret the file leaves alone. */
function desiredOf(d: DesiredBot, s: Setting): { value: unknown; managed: boolean } {
  const v = d.values.get(s);
  if (v) return { value: v.value, managed: true };
  if (s.secret) return { value: undefined, managed: false };
  return { value: defaultOf(d.kind, s), managed: true };
}

/** Items added and removed between two lists (by their JSON), or "changed" for anything else. */
export function sectionSummary(from: unknown, to: unknown): string {
  if (Array.isArray(to) && (Array.isArray(from) || from === undefined)) {
    const before = (from as unknown[] | undefined ?? []).map((x) => JSON.stringify(x));
    const after = to.map((x) => JSON.stringify(x));
    const added = after.filter((x) => !before.includes(x)).length;
    const removed = before.filter((x) => !after.includes(x)).length;
    const parts = [];
    if (added) parts.push(`${added} added`);
    if (removed) parts.push(`${removed} removed`);
    return parts.length ? parts.join(', ') : 'reordered';
  }
  return 'changed';
}

export interface PlanOptions {
  prune: boolean;
  /** For kinds' sections: read what a bot has now. */
  ctx: KindContext;
  kinds?: readonly BotKind[];
}

/** The plan from a checked file and the farm's bots now; references between bots are checked here. */
export async function planFarm(file: FarmFile, bots: Bot[], opts: PlanOptions): Promise<Plan> {
  const kinds = opts.kinds ?? KINDS;
  const phase = (kind: string) => {
    const k = kinds.find((x) => x.name === kind);
    return k ? ['source', 'consumer', 'standalone'].indexOf(k.family) : 3;
  };
  const sourceKinds = new Set(kinds.filter((k) => k.family === 'source').map((k) => k.name));
  const now = new Map(bots.map((b) => [b.name, b]));
  const wanted = new Map(file.bots.map((b) => [b.name, b]));
  const problems: Problem[] = [];
  const plan: Plan = { create: [], update: [], destroy: [], kept: [] };

  for (const d of file.bots) {
    const bot = now.get(d.name);
    if (bot && bot.role !== d.kind.name) {
      problems.push({
        where: d.where,
        message: `bot "${d.name}" is a ${bot.role || 'bot of no kind'} in the farm and a ${d.kind.name} in the file: a bot's kind cannot change (destroy it first, or give the new one another name)`,
      });
      continue;
    }
    // A consumer's source must be a source the farm will have.
    const src = [...d.values.values()].find((v) => v.setting.prop === 'source');
    if (src) {
      const name = src.value as string;
      const inFile = wanted.get(name);
      const existing = now.get(name);
      if (inFile) {
        if (!sourceKinds.has(inFile.kind.name)) problems.push({ where: src.where, message: `bot "${d.name}": its source "${name}" is a ${inFile.kind.name}, not a ${[...sourceKinds].join(' or ')}` });
      } else if (!existing) {
        problems.push({ where: src.where, message: `bot "${d.name}": its source "${name}" is neither in the file nor in the farm` });
      } else if (opts.prune) {
        problems.push({ where: src.where, message: `bot "${d.name}": its source "${name}" is not in the file, so --prune would destroy it` });
      } else if (!sourceKinds.has(existing.role)) {
        problems.push({ where: src.where, message: `bot "${d.name}": its source "${name}" is a ${existing.role}, not a ${[...sourceKinds].join(' or ')}` });
      }
    }
    const schema = schemaOf(d.kind);
    if (!bot) {
      const fields: FieldChange[] = [];
      const after: BotChanges = {};
      for (const s of schema) {
        const { value, managed } = desiredOf(d, s);
        if (!managed || value === undefined) continue;
        if (s.setOnly && value === defaultOf(d.kind, s)) continue; // a new bot runs unless the file pauses it
        fields.push(s.secret ? { key: s.key, secret: true, to: 'set' } : { key: s.key, to: shown(s, value) });
        if (s.setOnly) (after as Record<string, unknown>)[s.prop] = value;
      }
      const sections: SectionWrite[] = [];
      for (const [section, { value }] of d.sections) {
        sections.push({ section, value });
        fields.push({ key: section.key, summary: section.summary ? section.summary(undefined, value) : sectionSummary(undefined, value) });
      }
      plan.create.push({ name: d.name, kind: d.kind, desired: d, fields, after, sections });
      continue;
    }
    const fields: FieldChange[] = [];
    const changes: BotChanges = {};
    for (const s of schema) {
      const { value, managed } = desiredOf(d, s);
      if (!managed) continue;
      const was = current(bot, s);
      const wasText = was === undefined ? undefined : s.value.encode(was as never);
      const text = value === undefined ? undefined : s.value.encode(value as never);
      if (wasText === text) continue;
      fields.push(s.secret ? { key: s.key, secret: true } : { key: s.key, from: shown(s, was), to: shown(s, value) });
      if (text === undefined) (changes.clear ??= []).push(s.field);
      else if (TYPED.has(s.prop)) (changes as Record<string, unknown>)[s.prop] = value;
      else (changes.fields ??= {})[s.field] = text;
    }
    const sections: SectionWrite[] = [];
    for (const [section, { value }] of d.sections) {
      let summary: string | undefined;
      if (section.compare) summary = await section.compare(bot, value, opts.ctx);
      else {
        const was = await section.read(bot, opts.ctx);
        if (JSON.stringify(was) !== JSON.stringify(value)) summary = section.summary ? section.summary(was, value) : sectionSummary(was, value);
      }
      if (summary === undefined) continue;
      sections.push({ section, value });
      fields.push({ key: section.key, summary });
    }
    if (fields.length) plan.update.push({ name: d.name, kind: d.kind, bot, fields, changes, sections });
  }
  if (problems.length) throw new FarmFileError(file.file, problems);

  for (const bot of bots) {
    if (wanted.has(bot.name)) continue;
    if (opts.prune) plan.destroy.push({ name: bot.name, role: bot.role });
    else plan.kept.push(bot.name);
  }
  plan.create.sort((a, b) => phase(a.kind.name) - phase(b.kind.name) || a.name.localeCompare(b.name));
  plan.update.sort((a, b) => a.name.localeCompare(b.name));
  plan.destroy.sort((a, b) => phase(b.role) - phase(a.role) || a.name.localeCompare(b.name));
  return plan;
}
