import { UsageError } from '../../errors.js';

/**
 * Posting slots: local wall-clock times on days of the week, in a time zone ("mon-fri 09:00,13:00,18:00;
 * sat 11:00"). Times are turned into instants with Intl alone, so a slot stays at 09:00 local time across
 * a daylight-saving change. A wall time that a change skips (02:30 on a spring-forward night) falls after
 * the gap; one that happens twice (an autumn night) is taken at its first occurrence.
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface SlotGroup {
  /** Days of the week, 0 = Sunday. */
  days: number[];
  /** Minutes after local midnight. */
  times: number[];
}

export function parseSlots(raw: string, what = 'slots'): SlotGroup[] {
  const groups: SlotGroup[] = [];
  for (const part of raw.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(\S+)\s+(.+)$/.exec(part);
    if (!m) throw new UsageError(`invalid ${what} "${part}": use days and times, e.g. "mon-fri 09:00,13:00; sat 11:00"`);
    groups.push({ days: parseDays(m[1]!, what), times: parseTimes(m[2]!, what) });
  }
  if (groups.length === 0) throw new UsageError(`${what} must name at least one time, e.g. "mon-fri 09:00,13:00; sat 11:00"`);
  return groups;
}

function day(name: string, what: string): number {
  const i = DAYS.indexOf(name.toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  if (i < 0 || name.length < 3) throw new UsageError(`invalid day "${name}" in ${what}: use mon, tue, wed, thu, fri, sat, sun, a range (mon-fri) or daily`);
  return i;
}

function parseDays(raw: string, what: string): number[] {
  if (['daily', '*', 'mon-sun'].includes(raw.toLowerCase())) return [0, 1, 2, 3, 4, 5, 6];
  const out = new Set<number>();
  for (const item of raw.split(',')) {
    const [a, b] = item.split('-');
    if (b === undefined) {
      out.add(day(a!, what));
      continue;
    }
    // A range may wrap: fri-mon is fri, sat, sun, mon.
    for (let d = day(a!, what), end = day(b, what); ; d = (d + 1) % 7) {
      out.add(d);
      if (d === end) break;
    }
  }
  return [...out].sort();
}

function parseTimes(raw: string, what: string): number[] {
  const out = new Set<number>();
  for (const t of raw.split(/[\s,]+/).filter((x) => x !== '')) {
    const m = /^(\d{1,2}):(\d{2})$/.exec(t);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new UsageError(`invalid time "${t}" in ${what}: use HH:MM, 00:00 to 23:59`);
    out.add(Number(m[1]) * 60 + Number(m[2]));
  }
  return [...out].sort((a, b) => a - b);
}

export function formatSlots(groups: SlotGroup[]): string {
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return groups.map((g) => `${g.days.map((d) => DAYS[d]).join(',')} ${g.times.map(hhmm).join(',')}`).join('; ');
}

/** Refuses a time zone Intl does not know. */
export function checkZone(tz: string, what = 'tz'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new UsageError(`invalid ${what} "${tz}": use an IANA time zone such as Europe/Moscow or UTC`);
  }
  return tz;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(tz, f);
  }
  return f;
}

/** The wall clock in `tz` at instant `ms`, as if that wall clock were UTC (epoch ms). */
function wall(ms: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of format(tz).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
}

/** The instant at which the wall clock in `tz` shows `local` (a wall time written as UTC epoch ms). */
export function instantOf(local: number, tz: string): number {
  // The zone's offsets just before and after: the earlier reading is the first occurrence of a repeated time.
  const early = local - (wall(local - 86_400_000, tz) - (local - 86_400_000));
  const late = local - (wall(local + 86_400_000, tz) - (local + 86_400_000));
  for (const t of [Math.min(early, late), Math.max(early, late)]) if (wall(t, tz) === local) return t;
  // In a gap (the clock jumped over it): the same distance past the jump, as the later offset reads it.
  return Math.max(early, late);
}

/** Every slot instant from a day before `from` to eight days after, ascending. */
function around(groups: SlotGroup[], tz: string, from: number): number[] {
  const today = wall(from, tz);
  const midnight = today - (today % 86_400_000);
  const out: number[] = [];
  for (let k = -1; k <= 8; k++) {
    const date = midnight + k * 86_400_000;
    const dow = new Date(date).getUTCDay();
    for (const g of groups) if (g.days.includes(dow)) for (const m of g.times) out.push(instantOf(date + m * 60_000, tz));
  }
  return out.sort((a, b) => a - b);
}

/** The first slot strictly after `now`. */
export function nextSlot(groups: SlotGroup[], tz: string, now: number): number {
  return around(groups, tz, now).find((t) => t > now)!;
}

/** The last slot at or before `now`. */
export function lastSlot(groups: SlotGroup[], tz: string, now: number): number {
  return around(groups, tz, now).filter((t) => t <= now).pop()!;
}

/** The start of the local day of `now` in `tz` (epoch ms), for "posted today". */
export function startOfDay(tz: string, now: number): number {
  const w = wall(now, tz);
  return instantOf(w - (w % 86_400_000), tz);
}
