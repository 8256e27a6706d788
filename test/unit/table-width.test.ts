import { describe, expect, it } from 'vitest';
import { printTable } from '../../src/cli/output.js';
import { bufferIo } from '../helpers/io.js';

const headers = ['NAME', 'ROLE', 'LAST ERROR'];
const rows = [
  ['r1', 'reader', 'GET /2/users/:id/timelines/reverse_chronological: HTTP 503: Service Unavailable, try again later'],
  ['w1', 'writer<r1', ''],
];

describe('tables on a terminal', () => {
  it('fit its width: the text column is cut, never wrapped, the others stay whole', () => {
    const io = bufferIo({ isTTY: true, columns: 50 });
    printTable(headers, rows, io, { cut: 2 });
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(50);
    expect(lines[1]).toMatch(/^r1 +reader +GET \/2\/users.*…$/);
    expect(lines[2]).toMatch(/^w1 +writer<r1$/);
  });

  it('cut whole lines when even the other columns are wider than the terminal', () => {
    const io = bufferIo({ isTTY: true, columns: 12 });
    printTable(headers, rows, io, { cut: 2 });
    for (const l of io.stdout.trimEnd().split('\n')) expect(l.length).toBeLessThanOrEqual(12);
  });

  it('are unchanged when stdout is not a terminal, or wide enough', () => {
    const plain = bufferIo();
    printTable(headers, rows, plain, { cut: 2 });
    expect(plain.stdout).toContain(rows[0]![2]);
    const wide = bufferIo({ isTTY: true, columns: 500 });
    printTable(headers, rows, wide, { cut: 2 });
    expect(wide.stdout).toBe(plain.stdout);
  });
});
