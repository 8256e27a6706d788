import { formatDuration } from '../bots/values.js';
import { redisWhere, type Config } from '../config.js';
import { processIo, type Io } from './context.js';

/** The first line of list and stats: which farm this is, for an operator with more than one. */
export function farmHeader(config: Pick<Config, 'prefix' | 'redisUrl' | 'redisDb'>): string {
  return `farm ${config.prefix} on ${redisWhere(config.redisUrl, config.redisDb)}`;
}

export function printJson(value: unknown, io: Io = processIo): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Each column's width: its widest cell, header included. */
export function columnWidths(headers: string[], rows: string[][]): number[] {
  const widths = headers.map((h) => h.length);
  for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i]!.length > widths[i]!) widths[i] = row[i]!.length;
  return widths;
}

/** How wide printTable draws these rows: the columns and the two spaces between each. */
export function tableWidth(headers: string[], rows: string[][]): number {
  const widths = columnWidths(headers, rows);
  return widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
}

/** A plain aligned table: no colours, so it reads the same in cron mail and in a terminal. */
export function printTable(headers: string[], rows: string[][], io: Io = processIo): void {
  const widths = columnWidths(headers, rows);
  // Cells are padded up to the last one with text, so no line ends in spaces; nothing is trimmed after.
  const line = (cells: string[]) => {
    let last = cells.length - 1;
    while (last > 0 && cells[last] === '') last--;
    let out = '';
    for (let i = 0; i < last; i++) out += cells[i]!.padEnd(widths[i]!) + '  ';
    return out + (cells[last] ?? '');
  };
  let text = line(headers);
  for (const row of rows) text += `\n${line(row)}`;
  io.out(`${text}\n`);
}

/** "in 12m", "due", "3m ago" relative to now. */
export function relativeTime(at: number | undefined, now = Date.now()): string {
  if (!at) return '-';
  const delta = Math.round((at - now) / 1000);
  if (Math.abs(delta) < 1) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}
