import { describe, expect, it } from 'vitest';
import { barChart, chartFits, sparkline } from '../../src/metrics/chart.js';

const hours = Array.from({ length: 24 }, (_, i) => new Date(Date.UTC(2026, 0, 1, i)).toISOString());

describe('sparkline', () => {
  it('maps values to eighth blocks on a shared scale, idle hours as dots', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('·▁▂▄█');
    expect(sparkline([1, 1], 8)).toBe('▁▁');
    expect(sparkline([0, 0, 0])).toBe('···');
    expect(sparkline([3, 7])).toHaveLength(2);
  });
});

describe('barChart', () => {
  it('draws one column per hour, as high as the value, with axis and hour labels', () => {
    const values = new Array<number>(24).fill(0);
    values[6] = 12;
    values[7] = 6;
    const lines = barChart(values, hours, 4);
    expect(lines[0]).toContain('last 24h');
    const rows = lines.slice(1, 5);
    expect(rows[0]!.startsWith('12 │')).toBe(true);
    expect(rows[3]!.startsWith(' 0 │')).toBe(true);
    // Column 6 is full in every row, column 7 fills the lower half.
    const col = (row: string, i: number) => row.padEnd(60).slice(4 + 2 * i, 5 + 2 * i); // rows are trimmed at the end
    expect(rows.map((r) => col(r, 6))).toEqual(['█', '█', '█', '█']);
    expect(rows.map((r) => col(r, 7))).toEqual([' ', ' ', '█', '█']);
    expect(rows.map((r) => col(r, 0))).toEqual([' ', ' ', ' ', ' ']);
    expect(lines.at(-1)).toMatch(/00 +06 +12 +18/);
  });

  it('stays flat for an idle day', () => {
    const lines = barChart(new Array<number>(24).fill(0), hours, 3);
    expect(lines.slice(1, 4).every((l) => /│$/.test(l.trimEnd()))).toBe(true);
  });
});

describe('chartFits', () => {
  it('wants a terminal at least as wide as the chart', () => {
    expect(chartFits({ isTTY: true, columns: 120 }, 100)).toBe(true);
    expect(chartFits({ isTTY: true, columns: 80 }, 100)).toBe(false);
    expect(chartFits({ isTTY: false, columns: 200 }, 100)).toBe(false);
    expect(chartFits({}, 10)).toBe(false);
  });
});
