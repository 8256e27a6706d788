import { formatDuration } from '../bots/values.js';
import { redisWhere, type Config } from '../config.js';
import { processIo, type Io } from './context.js';

/** The first line of list and stats: which farm this is, for an operator with more than one. */
export function farmHeader(config: Pick<Config, 'prefix' | 'redisUrl' | 'redisDb'> & { redisCluster?: boolean }): string {
  return `farm ${config.prefix} on ${redisWhere(config.redisUrl, config.redisDb, config.redisCluster)}`;
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

/** The width output should fit: the terminal's, when stdout is one; none (whole lines) otherwise. */
export function terminalWidth(io: Io): number | undefined {
  return io.isTTY && io.columns && io.columns > 0 ? io.columns : undefined;
}

/** `text` cut to `width` characters, its last one an ellipsis when anything was cut. */
export function cutText(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 0 ? '' : `${text.slice(0, width - 1)}…`;
}

/**
 * A plain aligned table: no colours, so it reads the same in cron mail and in a terminal. On a terminal
 * narrower than the table, column `cut` (free text: an error message) is shortened to fit, and should
 * that not be enough, each line is cut at the edge: a wrapped table cannot be read. Pipes, files and
 * cron get whole lines.
 */
export function printTable(headers: string[], rows: string[][], io: Io = processIo, opts: { cut?: number } = {}): void {
  const widths = columnWidths(headers, rows);
  const columns = terminalWidth(io);
  if (columns !== undefined && opts.cut !== undefined && widths[opts.cut] !== undefined) {
    const over = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) - columns;
    if (over > 0) {
      const c = opts.cut;
      widths[c] = Math.max(headers[c]!.length, widths[c]! - over);
      rows = rows.map((r) => r.map((cell, i) => (i === c ? cutText(cell, widths[c]!) : cell)));
    }
  }
  // Cells are padded up to the last one with text, so no line ends in spaces; nothing is trimmed after.
  const line = (cells: string[]) => {
    let last = cells.length - 1;
    while (last > 0 && cells[last] === '') last--;
    let out = '';
    for (let i = 0; i < last; i++) out += cells[i]!.padEnd(widths[i]!) + '  ';
    return out + (cells[last] ?? '');
  };
  const fit = columns === undefined ? line : (cells: string[]) => cutText(line(cells), columns);
  let text = fit(headers);
  for (const row of rows) text += `\n${fit(row)}`;
  io.out(`${text}\n`);
}

/** A line of prose broken after commas to fit the terminal (indented after the first); whole elsewhere. */
export function fitProse(text: string, io: Io): string {
  const columns = terminalWidth(io);
  if (columns === undefined || text.length <= columns) return text;
  const lines: string[] = [];
  let current = '';
  for (const part of text.split(/(?<=, )/)) {
    if (current && current.length + part.trimEnd().length > columns) {
      lines.push(current.trimEnd());
      current = '  ';
    }
    current += part;
  }
  lines.push(current.trimEnd());
  return lines.map((l) => cutText(l, columns)).join('\n');
}

/** "in 12m", "due", "3m ago" relative to now. */
export function relativeTime(at: number | undefined, now = Date.now()): string {
  if (!at) return '-';
  const delta = Math.round((at - now) / 1000);
  if (Math.abs(delta) < 1) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}
