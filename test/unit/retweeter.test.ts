import { describe, expect, it } from 'vitest';
import { decide } from '../../src/bots/retweeter/tick.js';
import { RETWEETER_DEFAULTS, RETWEETER_LIMITS, type RetweeterSettings } from '../../src/bots/retweeter/index.js';
import { inWindow, parseWindows } from '../../src/bots/retweeter/window.js';
import { checkRule } from '../../src/bots/rules.js';

const settings: RetweeterSettings = { ...RETWEETER_DEFAULTS, quote: '', window: '', maxAge: 900 };
const rules = [{ id: '1', query: checkRule('tfctl -реклама', RETWEETER_LIMITS) }, { id: '2', query: checkRule('#rustlang', RETWEETER_LIMITS) }];
const NOW = Date.UTC(2026, 10, 30, 12, 0); // a Monday, 12:00 UTC
const entry = (text: string, extra: { author_id?: string; created_at?: string } = {}) => ({ entry: '1-0', id: '99', author: 'someone', author_id: extra.author_id ?? '5', text, created_at: extra.created_at ?? new Date(NOW - 60_000).toISOString() });

describe('a retweeter decides', () => {
  it('the first reason that rules a tweet out, in order, with the rule that matched', () => {
    const d = (e: ReturnType<typeof entry>, s: Partial<RetweeterSettings> = {}, before = false) => {
      const c = decide(e, before, rules, { ...settings, ...s }, NOW, new Set(['7']), '8');
      return [c.decision, c.rule];
    };
    expect(d(entry('tfctl вышел'))).toEqual(['go', '1']);
    expect(d(entry('learning #rustlang'))).toEqual(['go', '2']);
    expect(d(entry('tfctl вышел'), {}, true)).toEqual(['already_retweeted', null]);
    expect(d(entry('tfctl вышел', { author_id: '7' }))).toEqual(['own_tweet', null]); // another farm account
    expect(d(entry('tfctl вышел', { author_id: '8' }))).toEqual(['own_tweet', null]); // its own
    expect(d(entry('tfctl реклама'))).toEqual(['no_rule', null]);
    expect(d(entry('tfctl вышел', { created_at: new Date(NOW - 16 * 60_000).toISOString() }))).toEqual(['too_old', '1']);
    expect(d(entry('tfctl вышел'), { window: 'sat-sun 00:00-24:00' })).toEqual(['outside_window', '1']);
    expect(d(entry('tfctl вышел'), { window: 'mon 11:00-13:00' })).toEqual(['go', '1']);
    // Too old wins over outside the window: waiting would not make it younger.
    expect(d(entry('tfctl вышел', { created_at: new Date(NOW - 3600_000).toISOString() }), { window: 'sat 10:00-11:00' })).toEqual(['too_old', '1']);
  });
});

describe('windows', () => {
  const at = (iso: string) => Date.parse(iso);
  it('by weekday and time in the time zone, past midnight too, several joined by ;', () => {
    const w = parseWindows('mon-fri 09:00-18:00; sat 22:00-02:00');
    expect(inWindow(w, at('2026-11-30T09:00:00Z'), 'UTC')).toBe(true); // Monday 09:00
    expect(inWindow(w, at('2026-11-30T18:00:00Z'), 'UTC')).toBe(false); // the end is not in it
    expect(inWindow(w, at('2026-11-30T06:30:00Z'), 'Europe/Moscow')).toBe(true); // 09:30 in Moscow
    expect(inWindow(w, at('2026-11-29T12:00:00Z'), 'UTC')).toBe(false); // Sunday noon
    expect(inWindow(w, at('2026-11-28T23:00:00Z'), 'UTC')).toBe(true); // Saturday 23:00
    expect(inWindow(w, at('2026-11-29T01:59:00Z'), 'UTC')).toBe(true); // Sunday 01:59, Saturday's window
    expect(inWindow(w, at('2026-11-29T02:00:00Z'), 'UTC')).toBe(false);
    expect(inWindow(parseWindows('fri-mon 10:00-11:00'), at('2026-11-29T10:30:00Z'), 'UTC')).toBe(true); // a range across the week's end
    expect(inWindow(parseWindows('daily 00:00-24:00'), at('2026-11-29T23:59:00Z'), 'UTC')).toBe(true);
  });

  it('refuses what is not a window', () => {
    for (const bad of ['', 'mon', 'someday 09:00-10:00', 'mon 9-5', 'mon 09:00-09:00', 'mon 25:00-26:00', 'mon 09:60-10:00']) expect(() => parseWindows(bad), bad).toThrow(/window/);
  });
});
