import { describe, expect, it } from 'vitest';
import { sameText, shownText } from '../../src/x/text-match.js';

/** X returns a posted text HTML-escaped, with every URL wrapped as t.co, and long texts in note_tweet. */
describe('sameText: a sent text against the tweet X shows for it', () => {
  it('matches a plain text, ignoring Unicode normalisation and surrounding blanks', () => {
    expect(sameText('Всю ночь думал о ёжике.', { text: 'Всю ночь думал о ёжике.' })).toBe(true);
    expect(sameText('Всю ночь думал о ёжике.', { text: ' Всю ночь думал о е\u0308жике.\n' })).toBe(true);
    expect(sameText('Всю ночь думал о ёжике.', { text: 'Всю ночь думал о ежике.' })).toBe(false);
  });

  it('undoes X\'s HTML escaping of & < >', () => {
    expect(sameText('Кот & пёс <3 > всё', { text: 'Кот &amp; пёс &lt;3 &gt; всё' })).toBe(true);
    // A text that itself contains "&amp;" comes back escaped twice, and still matches.
    expect(sameText('ровно &amp; так', { text: 'ровно &amp;amp; так' })).toBe(true);
    expect(sameText('Кот & пёс', { text: 'Кот &amp;amp; пёс' })).toBe(false);
  });

  it('expands t.co links from the entities, and without entities treats any link as the same link', () => {
    const sent = 'Читаю про кошек: https://example.com/cats?a=1&b=2 и радуюсь';
    const tco = 'Читаю про кошек: https://t.co/AbC123xyz и радуюсь';
    expect(sameText(sent, { text: tco, entities: { urls: [{ url: 'https://t.co/AbC123xyz', expanded_url: 'https://example.com/cats?a=1&b=2' }] } })).toBe(true);
    expect(sameText(sent, { text: tco })).toBe(true);
    expect(sameText(sent, { text: 'Читаю про собак: https://t.co/AbC123xyz и радуюсь' })).toBe(false);
    // A bare domain is linked by X too.
    expect(sameText('Смотрите example.com сегодня', { text: 'Смотрите https://t.co/Q1w2E3 сегодня' })).toBe(true);
  });

  it('reads a long post from note_tweet', () => {
    const long = 'Кошка '.repeat(60).trim();
    const t = { text: `${long.slice(0, 270)}… https://t.co/xyz`, note_tweet: { text: long } };
    expect(shownText(t)).toBe(long);
    expect(sameText(long, t)).toBe(true);
  });
});
