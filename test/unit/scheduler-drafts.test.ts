import { describe, expect, it } from 'vitest';
import { checkDrafts, splitDrafts } from '../../src/bots/scheduler/drafts.js';
import { textHash } from '../../src/store/posts.js';

describe('draft files', () => {
  it('reads one draft per line, trims trailing whitespace, skips blank and comment lines', () => {
    const text = '\uFEFFПервый черновик   \r\n\n# a comment\n#\n#котики едят\nВторой\t\n';
    expect(splitDrafts(text)).toEqual([
      { text: 'Первый черновик', line: 1 },
      { text: '#котики едят', line: 5 },
      { text: 'Второй', line: 6 },
    ]);
  });

  it('reads blocks between --- lines as multi-line drafts, with their first line numbers', () => {
    const text = '# header\nстрока один  \nстрока два\n---\n\nвторой\n---\n---\nтретий\n';
    expect(splitDrafts(text)).toEqual([
      { text: 'строка один\nстрока два', line: 2 },
      { text: 'второй', line: 6 },
      { text: '', line: 8 },
      { text: 'третий', line: 9 },
    ]);
    // A file that starts or ends with --- has no empty draft there.
    expect(splitDrafts('---\nодин\n---\n')).toEqual([{ text: 'один', line: 2 }]);
  });

  it('refuses empty, too long and duplicate drafts, saying where', () => {
    const long = 'я'.repeat(281);
    const known = new Map([[textHash('старый'), '7']]);
    const r = checkDrafts(
      [
        { file: 'a.txt', drafts: [{ text: 'новый', line: 1 }, { text: long, line: 2 }, { text: 'старый', line: 3 }] },
        { file: '-', drafts: [{ text: 'новый', line: 4 }, { text: '', line: 5 }, { text: '🙂'.repeat(140), line: 6 }] },
      ],
      known,
    );
    expect(r.ok.map((d) => d.from)).toEqual(['a.txt:1', '-:6']);
    expect(r.refused).toEqual([
      { at: 'a.txt:2', reason: 'too long: 281 weighted characters, X allows 280' },
      { at: 'a.txt:3', reason: 'duplicate of draft 7' },
      { at: '-:4', reason: 'duplicate of a.txt:1' },
      { at: '-:5', reason: 'empty draft' },
    ]);
    expect(checkDrafts([{ file: 'b', drafts: [{ text: '🙂'.repeat(141), line: 1 }] }], new Map()).refused[0]!.reason).toMatch(/282 weighted/);
  });
});
