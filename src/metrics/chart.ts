/** Small terminal charts for `tfctl stats`: plain text, block characters only, no colours. */

const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * One character per value. Zero stays a blank-looking baseline ('·') so an idle hour is told apart
 * from a quiet one; the scale is shared when `max` is given, so bots can be compared row by row.
 */
export function sparkline(values: number[], max = Math.max(0, ...values)): string {
  return values
    .map((v) => {
      if (v <= 0 || max <= 0) return '·';
      const level = Math.ceil((v / max) * LEVELS.length) - 1;
      return LEVELS[Math.min(LEVELS.length - 1, Math.max(0, level))]!;
    })
    .join('');
}

/**
 * A vertical bar chart, one column per value, `height` rows high, with eighth-block tops, a y label
 * on the top line and UTC hour labels every 6 columns beneath. `hours` are the buckets' start times.
 */
export function barChart(values: number[], hours: string[], height = 6, title = 'posts per hour (UTC)'): string[] {
  const max = Math.max(0, ...values);
  const label = String(max);
  const pad = ' '.repeat(label.length);
  const lines: string[] = [`${pad}  ${title}, last ${values.length}h`];
  for (let row = height - 1; row >= 0; row--) {
    let line = '';
    for (const v of values) {
      // How many eighths of this row the bar fills.
      const eighths = max > 0 ? Math.round((v / max) * height * 8) - row * 8 : 0;
      line += eighths >= 8 ? '█' : eighths > 0 ? LEVELS[eighths - 1]! : ' ';
      line += ' ';
    }
    const axis = row === height - 1 ? label : row === 0 ? '0'.padStart(label.length) : pad;
    lines.push(`${axis} │${line.trimEnd()}`);
  }
  lines.push(`${pad} └${'──'.repeat(values.length)}`);
  let ticks = '';
  hours.forEach((h, i) => {
    if (i % 6 !== 0 || ticks.length > i * 2) return;
    ticks = ticks.padEnd(i * 2) + new Date(h).toISOString().slice(11, 13);
  });
  lines.push(`${pad}  ${ticks}`);
  return lines;
}

/** The chart goes to terminals wide enough for it; pipes, cron logs and --json get none. */
export function chartFits(stream: { isTTY?: boolean; columns?: number }, width: number): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) >= width;
}
