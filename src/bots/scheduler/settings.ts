import type { Bot } from '../../store/bot-record.js';
import { boolean, count, directory, duration, setting, type Setting, type ValueType } from '../settings.js';
import { checkZone, formatSlots, parseSlots, type SlotGroup } from './slots.js';
import { HASHTAG_SETTINGS, hashtagSettings, type HashtagSettings } from '../hashtags.js';

const slots: ValueType<SlotGroup[]> = {
  type: 'slots',
  parse: (raw, what) => parseSlots(raw, what),
  encode: formatSlots,
  decode: (f) => (f ? parseSlots(f) : []),
  show: formatSlots,
};

const zone: ValueType<string> = { type: 'time zone', parse: (raw, what) => checkZone(raw.trim(), what), encode: (v) => v, decode: (f) => f };

export const SCHEDULER_DEFAULTS = { perTick: 1, tz: 'UTC', cooldown: 30 * 86_400, maxUses: 3, every: 8 * 3600 } as const;

export const SCHEDULER_SETTINGS: readonly Setting[] = [
  setting({ key: 'slots', prop: 'slots', field: 'slots', value: slots, arg: '<slots>', help: 'post at these local times instead of every --every, e.g. "mon-fri 09:00,13:00,18:00; sat 11:00"' }),
  setting({ key: 'tz', prop: 'tz', field: 'tz', value: zone, default: SCHEDULER_DEFAULTS.tz, arg: '<zone>', help: 'the time zone of --slots and of "posted today", e.g. Europe/Moscow' }),
  setting({ key: 'per-tick', prop: 'perTick', field: 'per_tick', value: count(1, 50), default: SCHEDULER_DEFAULTS.perTick, arg: '<n>', help: 'drafts posted per due tick' }),
  setting({ key: 'recycle', prop: 'recycle', field: 'recycle', value: boolean, default: false, arg: '<bool>', help: 'when the queue is empty, post again the draft posted longest ago (after --cooldown, up to --max-uses)' }),
  setting({ key: 'cooldown', prop: 'cooldown', field: 'cooldown_s', value: duration, default: SCHEDULER_DEFAULTS.cooldown, arg: '<duration>', help: 'how long a posted draft rests before --recycle may post it again' }),
  setting({ key: 'max-uses', prop: 'maxUses', field: 'max_uses', value: count(1, 1000), default: SCHEDULER_DEFAULTS.maxUses, arg: '<n>', help: 'how many times in all --recycle may post one draft' }),
  setting({ key: 'inbox', prop: 'inbox', field: 'inbox', value: directory, arg: '<dir>', help: 'each tick imports new DIR/*.txt as drafts, then moves each to DIR/imported/ (or DIR/rejected/ with a .why)' }),
  ...HASHTAG_SETTINGS,
];

export interface SchedulerSettings extends HashtagSettings {
  slots: SlotGroup[];
  tz: string;
  perTick: number;
  recycle: boolean;
  cooldown: number;
  maxUses: number;
  inbox?: string;
}

export function schedulerSettings(bot: Bot): SchedulerSettings {
  const s = bot.settings;
  return {
    ...hashtagSettings(bot),
    slots: Array.isArray(s.slots) ? (s.slots as SlotGroup[]) : [],
    tz: typeof s.tz === 'string' && s.tz ? s.tz : SCHEDULER_DEFAULTS.tz,
    perTick: typeof s.perTick === 'number' ? s.perTick : SCHEDULER_DEFAULTS.perTick,
    recycle: s.recycle === true,
    cooldown: typeof s.cooldown === 'number' ? s.cooldown : SCHEDULER_DEFAULTS.cooldown,
    maxUses: typeof s.maxUses === 'number' ? s.maxUses : SCHEDULER_DEFAULTS.maxUses,
    inbox: typeof s.inbox === 'string' && s.inbox !== '' ? s.inbox : undefined,
  };
}
