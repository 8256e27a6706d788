import { describe, expect, it } from 'vitest';
import { checkZone, instantOf, lastSlot, nextSlot, parseSlots, startOfDay } from '../../src/bots/scheduler/slots.js';

/** The local wall time of an instant in a zone, "YYYY-MM-DD HH:MM ddd", as Intl formats it. */
function local(ms: number, tz: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.weekday}`;
}

/** Every slot from `from` on, `n` of them. */
function slotsFrom(spec: string, tz: string, from: number, n: number): number[] {
  const groups = parseSlots(spec);
  const out: number[] = [];
  for (let t = from; out.length < n; ) out.push((t = nextSlot(groups, tz, t)));
  return out;
}

describe('scheduler slots', () => {
  it('parses days, ranges and times, and refuses what it cannot read', () => {
    expect(parseSlots('mon-fri 09:00,13:00,18:00; sat 11:00')).toEqual([
      { days: [1, 2, 3, 4, 5], times: [540, 780, 1080] },
      { days: [6], times: [660] },
    ]);
    expect(parseSlots('fri-mon 7:05')[0]!.days).toEqual([0, 1, 5, 6]);
    expect(parseSlots('daily 00:00')[0]!.days).toHaveLength(7);
    for (const bad of ['', 'mon', 'mon 25:00', 'mon 9', 'funday 09:00', 'mon 09:60']) expect(() => parseSlots(bad), bad).toThrow();
    expect(() => checkZone('Mars/Olympus')).toThrow(/time zone/);
    expect(checkZone('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('posts at the same local times across the spring change (Europe/Berlin, 2026-03-29)', () => {
    // Friday 2026-03-27 noon UTC: the slots of the next days straddle the night clocks go forward.
    const from = Date.UTC(2026, 2, 27, 12, 0);
    const got = slotsFrom('mon-fri 09:00,18:00; sat,sun 11:00', 'Europe/Berlin', from, 5).map((t) => local(t, 'Europe/Berlin'));
    expect(got).toEqual(['2026-03-27 18:00 Fri', '2026-03-28 11:00 Sat', '2026-03-29 11:00 Sun', '2026-03-30 09:00 Mon', '2026-03-30 18:00 Mon']);
    // The offset changed underneath: 11:00 is 10:00 UTC on Saturday, 09:00 UTC on Sunday.
    const [, sat, sun] = slotsFrom('mon-fri 09:00,18:00; sat,sun 11:00', 'Europe/Berlin', from, 3);
    expect(new Date(sat!).toISOString()).toBe('2026-03-28T10:00:00.000Z');
    expect(new Date(sun!).toISOString()).toBe('2026-03-29T09:00:00.000Z');
  });

  it('posts at the same local times across the autumn change (America/New_York, 2026-11-01)', () => {
    const from = Date.UTC(2026, 9, 31, 0, 0);
    const got = slotsFrom('daily 09:00', 'America/New_York', from, 3);
    expect(got.map((t) => local(t, 'America/New_York'))).toEqual(['2026-10-31 09:00 Sat', '2026-11-01 09:00 Sun', '2026-11-02 09:00 Mon']);
    expect(got.map((t) => new Date(t).toISOString())).toEqual(['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z']);
  });

  it('takes a repeated time at its first occurrence, and a skipped one just after the jump', () => {
    // 01:30 happens twice in New York on 2026-11-01 (EDT, then EST): the first is 05:30 UTC.
    expect(new Date(instantOf(Date.UTC(2026, 10, 1, 1, 30), 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
    // 02:30 never happens in Berlin on 2026-03-29: it goes out at 03:30 local (01:30 UTC).
    expect(new Date(instantOf(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    const slot = slotsFrom('sun 02:30', 'Europe/Berlin', Date.UTC(2026, 2, 28, 0, 0), 2);
    expect(slot.map((t) => local(t, 'Europe/Berlin'))).toEqual(['2026-03-29 03:30 Sun', '2026-04-05 02:30 Sun']);
  });

  it('knows the last slot and the start of the local day', () => {
    const groups = parseSlots('mon-fri 09:00,13:00');
    const now = Date.UTC(2026, 5, 8, 11, 0); // Monday 14:00 in Moscow (UTC+3)
    expect(local(lastSlot(groups, 'Europe/Moscow', now), 'Europe/Moscow')).toBe('2026-06-08 13:00 Mon');
    expect(local(nextSlot(groups, 'Europe/Moscow', now), 'Europe/Moscow')).toBe('2026-06-09 09:00 Tue');
    // Friday evening: the next slot is Monday morning.
    expect(local(nextSlot(groups, 'Europe/Moscow', Date.UTC(2026, 5, 12, 15, 0)), 'Europe/Moscow')).toBe('2026-06-15 09:00 Mon');
    expect(new Date(startOfDay('Europe/Moscow', now)).toISOString()).toBe('2026-06-07T21:00:00.000Z');
  });
});
