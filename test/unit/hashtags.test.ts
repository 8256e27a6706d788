import { describe, expect, it } from 'vitest';
import { parseHashtags } from '../../src/bots/hashtags.js';
import { unlinked, withHashtags, type HashtagMode } from '../../src/text/hashtags.js';
import { weightedLength } from '../../src/text/weight.js';

const none = () => ({ uses: {} as Record<string, number>, turn: 0 });

describe('hashtags', () => {
  it('parses tags with quotas and refuses what is no tag', () => {
    expect(parseHashtags('#котики:2 #пятница')).toEqual([{ tag: '#котики', quota: 2 }, { tag: '#пятница' }]);
    expect(parseHashtags('#a,#A #b')).toEqual([{ tag: '#a' }, { tag: '#b' }]);
    for (const bad of ['', 'котики', '#a:x', '##a']) expect(() => parseHashtags(bad), bad).toThrow();
    expect(unlinked(parseHashtags('#ok #123 #a-b'))).toEqual(['#123', '#a-b']);
  });

  it('appends every tag left in mode all, respects quotas, and never repeats a tag the text has', () => {
    const tags = parseHashtags('#котики:2 #пятница');
    expect(withHashtags('Кот спит.', tags, 'all', none())).toEqual({ text: 'Кот спит. #котики #пятница', used: ['#котики', '#пятница'] });
    expect(withHashtags('Кот спит.', tags, 'all', { uses: { '#котики': 2 }, turn: 2 })).toEqual({ text: 'Кот спит. #пятница', used: ['#пятница'] });
    expect(withHashtags('Кот и #Котики.', tags, 'all', none())).toEqual({ text: 'Кот и #Котики. #пятница', used: ['#пятница'] });
    expect(withHashtags('Кот.', tags, 'one', none()).used).toEqual(['#котики']);
    expect(withHashtags('Кот.', tags, 'rotate', { uses: {}, turn: 1 }).used).toEqual(['#пятница']);
    expect(withHashtags('Кот.', tags, 'rotate', { uses: {}, turn: 2 }).used).toEqual(['#котики']);
  });

  it('adds a tag only while the text fits 280', () => {
    const tags = parseHashtags('#котики #пятница');
    const text = 'я'.repeat(270); // room for " #котики" (8), not for " #пятница" too
    expect(withHashtags(text, tags, 'all', none())).toEqual({ text: `${text} #котики`, used: ['#котики'] });
    expect(withHashtags('я'.repeat(275), tags, 'all', none()).used).toEqual([]);
  });

  it('never produces a text over 280 weighted characters (property)', () => {
    // A seeded generator, so a failure can be replayed.
    let seed = 20261129;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const pieces = ['я', 'a', ' ', '🙂', '漢', 'https://example.com/x', '#', '\n', 'é'];
    const modes: HashtagMode[] = ['all', 'one', 'rotate'];
    for (let run = 0; run < 300; run++) {
      let text = '';
      const size = rand(300);
      while (weightedLength(text) < size) text += pieces[rand(pieces.length)];
      text = text.trim();
      const tagCount = 1 + rand(5);
      const raw = Array.from({ length: tagCount }, (_, i) => `#${'тег'.repeat(1 + rand(8))}${i}${rand(2) ? `:${rand(3)}` : ''}`).join(' ');
      const tags = parseHashtags(raw);
      const state = { uses: Object.fromEntries(tags.map((t) => [t.tag, rand(3)])), turn: rand(10) };
      const out = withHashtags(text, tags, modes[rand(3)]!, state);
      const before = weightedLength(text);
      if (before > 280) expect(out.text).toBe(text);
      else expect(weightedLength(out.text), JSON.stringify({ text, raw })).toBeLessThanOrEqual(280);
      expect(out.text.startsWith(text)).toBe(true);
      for (const t of out.used) expect(tags.find((x) => x.tag === t)!.quota ?? Infinity).toBeGreaterThan(state.uses[t] ?? 0);
    }
  });
});
