import { UsageError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90s`, `30m`, `2h`, `1d` or `1h30m` into seconds. A bare number means minutes. */
export function parseDuration(input: string, what = 'duration'): number {
  const text = input.trim().toLowerCase();
  if (/^\d+$/.test(text)) return checkRange(Number(text) * 60, input, what);
  const re = /(\d+)([smhd])/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new UsageError(`invalid ${what} "${input}": use a number with a unit, e.g. 90s, 30m, 2h, 1d`);
  }
  return checkRange(total, input, what);
}

function checkRange(seconds: number, input: string, what: string): number {
  if (seconds < 1 || seconds > 366 * 86400) throw new UsageError(`invalid ${what} "${input}": must be between 1s and 366d`);
  return seconds;
}

/** Formats seconds the way operators write them: 3600 → "1h", 5400 → "1h30m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0s';
  // Plain arithmetic: `tfctl list` formats a thousand of these in a cold process, where a loop over
  // [unit, size] pairs cost ten times as much.
  const total = Math.round(seconds);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return (d ? `${d}d` : '') + (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s ? `${s}s` : '') || '0s';
}

/** Parses a whole number within bounds, for `--per-tick`, `--grab` and similar. */
export function parseCount(input: string, what: string, min: number, max: number): number {
  const text = input.trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`invalid ${what} "${input}": must be a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

export function parseBool(input: string, what: string): boolean {
  const text = input.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new UsageError(`invalid ${what} "${input}": use true or false`);
}
