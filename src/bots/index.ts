import { UsageError } from '../errors.js';
import type { KindCodec, Role } from '../store/bot-record.js';
import { collector } from './collector/index.js';
import { reader } from './reader/index.js';
import { scheduler } from './scheduler/index.js';
import { retweeter } from './retweeter/index.js';
import { COMMON, type Setting } from './settings.js';
import { tracker } from './tracker/index.js';
import type { BotKind, Family } from './types.js';
import { writer } from './writer/index.js';

/**
 * Every bot kind, one line each. A new kind is a folder src/bots/<kind>/ whose index.ts exports its
 * BotKind, and one entry here; everything else finds it through this list.
 */
export const KINDS: readonly BotKind[] = [reader, writer, collector, tracker, scheduler, retweeter];

const BY_NAME = new Map(KINDS.map((k) => [k.name, k]));

export function kindOf(role: Role): BotKind | undefined {
  return BY_NAME.get(role);
}

/** The kind of that name, or a usage error listing the kinds. */
export function requireKind(role: Role): BotKind {
  const kind = BY_NAME.get(role);
  if (!kind) throw new UsageError(`unknown role "${role}": use one of ${KINDS.map((k) => k.name).join(', ')} (see tfctl kinds)`);
  return kind;
}

/** Every setting of a kind: the common ones, then its own. */
export function schemaOf(kind: BotKind): readonly Setting[] {
  return [...COMMON, ...kind.settings];
}

/** A setting's default for this kind: the kind's own (a tracker's every) or the setting's. */
export function defaultOf(kind: BotKind, s: Setting): unknown {
  return (kind.defaults as Record<string, unknown> | undefined)?.[s.prop] ?? s.default;
}

/** Sources tick first, so their consumers see the tweets fetched in the same run; standalone kinds last. */
const FAMILY_ORDER: readonly Family[] = ['source', 'consumer', 'standalone'];
export const PHASES: ReadonlyArray<readonly BotKind[]> = FAMILY_ORDER.map((f) => KINDS.filter((k) => k.family === f)).filter((p) => p.length > 0);

/** The position of a role's phase (unknown roles last). */
export function phaseOf(role: Role): number {
  const i = PHASES.findIndex((p) => p.some((k) => k.name === role));
  return i < 0 ? PHASES.length : i;
}

/** The names of the source kinds: what a consumer may read from. */
export const SOURCE_KINDS = KINDS.filter((k) => k.family === 'source').map((k) => k.name);

/** What the store needs of the kinds: how to decode their settings and count their backlogs. */
export const CODEC: KindCodec = {
  settings(role, h) {
    const out: Record<string, unknown> = {};
    const kind = BY_NAME.get(role);
    if (!kind) return out;
    for (const s of kind.settings) {
      // A consumer's source is a field every bot may have (Bot.source), not one of its kind's settings.
      if (s.prop === 'source') continue;
      const v = h[s.field];
      if (v !== undefined && v !== '') out[s.prop] = s.value.decode(v);
      else if (s.default !== undefined) out[s.prop] = s.default;
    }
    return out;
  },
  backlogs: Object.fromEntries(KINDS.map((k) => [k.name, k.backlog.spec])),
  sources: SOURCE_KINDS,
};

/** The backlog labels of every kind, in registry order, each once ("cached", "unprocessed"). */
export const BACKLOG_LABELS: readonly string[] = [...new Set(KINDS.map((k) => k.backlog.label))];
