import { beforeAll, describe, expect, it } from 'vitest';
import { loadMorph } from '../../src/text/morph.js';
import { extractNouns, tokenize } from '../../src/text/nouns.js';

beforeAll(async () => {
  await loadMorph();
});

const lemmas = (text: string) => extractNouns(text).map((n) => n.lemma);

describe('tokenize', () => {
  it('leaves URLs, mentions, hashtags, cashtags, numbers, emoji and Latin alone', () => {
    const t = tokenize('Смотри https://t.co/Xy12 и www.kot.ru/путь @кот_2 #котики $TSLA 2024 года 🐱 cat-кот кошка');
    expect(t.map((x) => x.text)).toEqual(['Смотри', 'и', 'года', 'кошка']);
  });

  it('knows where sentences start', () => {
    const t = tokenize('Кот спит. Собака лает! 😀 Птица поёт\nРыба молчит, Ворона каркает');
    expect(t.filter((x) => x.sentenceStart).map((x) => x.text)).toEqual(['Кот', 'Собака', 'Птица', 'Рыба']);
  });

  it('keeps offsets into the original text', () => {
    const text = '@vasya_88 посмотри на кошку';
    const [, , last] = tokenize(text);
    expect(text.slice(last!.index, last!.index + 5)).toBe('кошку');
  });
});

describe('extractNouns on real-looking tweets', () => {
  it('finds the nouns in text order, one per lemma, with offsets', () => {
    const text = 'Утром видел кошку, потом ещё кошек и собаку у подъезда 🐈 https://t.co/a1b2c3';
    const nouns = extractNouns(text);
    expect(nouns.map((n) => [n.word, n.lemma])).toEqual([['кошку', 'кошка'], ['собаку', 'собака'], ['подъезда', 'подъезд']]);
    for (const n of nouns) expect(text.slice(n.index, n.index + n.word.length)).toBe(n.word);
  });

  it('skips names, surnames, places and organisations, mid-sentence capitals and ALL CAPS', () => {
    expect(lemmas('Вчера Маша и Петров ездили в Москву за подарками')).toEqual(['подарок']);
    expect(lemmas('СРОЧНО: в городе открылся новый МАГАЗИН и Кафе')).toEqual(['город']);
    expect(lemmas('Москва встречает весну дождями')).toEqual(['весна', 'дождь']);
    expect(lemmas('Вера в чудеса')).toEqual(['чудо']);
  });

  it('ignores mentions and hashtags even when they are Russian words', () => {
    expect(lemmas('@кошка #собака смотрите, какая птица! #природа')).toEqual(['птица']);
  });

  it('takes a capitalised common noun at a sentence start', () => {
    expect(lemmas('Кошки правят миром. Собаки тоже')).toEqual(['кошка', 'мир', 'собака']);
  });

  it('keeps ё as the tweet had it', () => {
    const [a] = extractNouns('Нашёл ёлку в лесу');
    expect(a).toMatchObject({ word: 'ёлку', lemma: 'ёлка' });
    const [b] = extractNouns('Нашел елку в лесу');
    expect(b).toMatchObject({ word: 'елку', lemma: 'ёлка' });
  });

  it('skips words whose likeliest reading is not a noun, and the stop list', () => {
    expect(lemmas('Цены стали выше, мой друг')).toEqual(['цена', 'друг']);
    expect(lemmas('Один раз в год, в течение дня, по мере сил')).toEqual(['сила']);
  });

  it('declines a word whose lemma is ambiguous', () => {
    expect(lemmas('на дне')).toEqual([]);
  });

  it('returns nothing for a tweet with no usable noun', () => {
    expect(extractNouns('😂😂😂 https://t.co/x @a #b 100500')).toEqual([]);
    expect(extractNouns('')).toEqual([]);
  });
});
