import { UsageError } from '../../errors.js';

/**
 * Time windows a retweeter acts in, as the seed system had them per weekday: `mon-fri 09:00-18:00`,
 * several joined by `;` (`mon-fri 09:00-18:00; sat 10:00-14:00`), days as a range, a list (`mon,wed`)
 * or `daily`; a window whose end is not after its start runs past midnight (`fri 22:00-02:00`).
 * Evaluated in the bot's time zone (IANA, e.g. Europe/Moscow).
 */
export interface Window {
  /** 0 = Sunday … 6 = Saturday */
  days: Set<number>;
  /** minutes after midnight; end may be 1440 */
  start: number;
  end: number;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function day(name: string, spec: string): number {
  const i = DAYS.indexOf(name.slice(0, 3));
  if (i < 0 || !DAYS[i]!.startsWith(name.slice(0, 3)) || name.length < 3) throw new UsageError(`invalid window "${spec}": "${name}" is not a day (mon, tue, wed, thu, fri, sat, sun)`);
  return i;
}

function minutes(hhmm: string, spec: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  const v = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || v > 1440) throw new UsageError(`invalid window "${spec}": "${hhmm}" is not a time (HH:MM, 00:00 to 24:00)`);
  return v;
}

export function parseWindows(spec: string): Window[] {
  const out: Window[] = [];
  for (const part of spec.toLowerCase().split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\S+)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m) throw new UsageError(`invalid window "${spec}": use DAYS HH:MM-HH:MM, e.g. "mon-fri 09:00-18:00" (several joined by ";")`);
    const days = new Set<number>();
    for (const d of m[1]!.split(',')) {
      if (d === 'daily' || d === '*') for (let i = 0; i < 7; i++) days.add(i);
      else if (d.includes('-')) {
        const [a, b] = d.split('-');
        const from = day(a!, spec);
        const to = day(b!, spec);
        for (let i = from; ; i = (i + 1) % 7) {
          days.add(i);
          if (i === to) break;
        }
      } else days.add(day(d, spec));
    }
    const start = minutes(m[2]!, spec);
    const end = minutes(m[3]!, spec);
    if (start === end) throw new UsageError(`invalid window "${spec}": "${part}" is empty`);
    out.push({ days, start, end });
  }
  if (!out.length) throw new UsageError('a window must not be empty');
  return out;
}

export function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new UsageError(`unknown time zone "${tz}": use an IANA name such as Europe/Moscow or UTC`);
  }
  return tz;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday (0 = Sunday) and minute of the day at `ms` in `tz`. */
export function localTime(ms: number, tz: string): { day: number; minute: number } {
  let f = formatters.get(tz);
  if (!f) formatters.set(tz, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { day: DAYS.indexOf(String(parts.weekday).toLowerCase().slice(0, 3)), minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Whether `ms` falls in any of the windows (no windows: always). */
export function inWindow(windows: readonly Window[], ms: number, tz: string): boolean {
  if (!windows.length) return true;
  const { day: d, minute } = localTime(ms, tz);
  const yesterday = (d + 6) % 7;
  return windows.some((w) => {
    if (w.start < w.end) return w.days.has(d) && minute >= w.start && minute < w.end;
    // Past midnight: the evening part on its own days, the morning part on the day after.
    return (w.days.has(d) && minute >= w.start) || (w.days.has(yesterday) && minute < w.end);
  });
}
