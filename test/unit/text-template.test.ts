import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { compose } from '../../src/bots/writer/tick.js';
import { inThread } from '../../src/text/engine.js';
import { loadMorph } from '../../src/text/morph.js';
import { parseTemplate, renderDetailed, renderTemplate } from '../../src/text/template.js';
import { checkFits, fitsTweet, shortestLength, weightedLength } from '../../src/text/weight.js';

beforeAll(async () => {
  await loadMorph();
});

function usageError(src: string): string {
  try {
    parseTemplate(src);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`template accepted: ${src}`);
}

describe('parseTemplate', () => {
  it('accepts every slot form of the note', () => {
    const t = parseTemplate('%s {} {0} {noun} {noun:gent,plur} {Noun:род,мн} {noun:loc2} {noun:ablt}');
    expect(t.slots.map((s) => s.source)).toEqual(['%s', '{}', '{0}', '{noun}', '{noun:gent,plur}', '{Noun:род,мн}', '{noun:loc2}', '{noun:ablt}']);
    expect(t.slots[4]!.want).toEqual({ case: 'gent', number: 'plur' });
    expect(t.slots[5]!.want).toEqual({ case: 'gent', number: 'plur' });
  });

  it('points at the bad slot by column', () => {
    expect(usageError('Нет больше {noun:gentt}')).toBe('template: unknown grammeme "gentt" in slot {noun:gentt} at column 12');
    expect(usageError('{noun:gent,plur,sing}')).toMatch(/two numbers.*column 1$/);
    expect(usageError('{noun:plur}')).toMatch(/no case/);
    expect(usageError('{noun:}')).toMatch(/missing grammemes in slot \{noun:\} at column 1/);
    expect(usageError('Мой {кот}')).toMatch(/unknown slot \{кот\} at column 5/);
    expect(usageError('{1} и {0}')).toMatch(/only \{0\}/);
    expect(usageError('Про {noun:gent')).toMatch(/unclosed slot .* at column 5/);
    expect(usageError('a } b %s')).toMatch(/stray "}" at column 3/);
  });

  it('needs at least one slot', () => {
    expect(usageError('Просто текст без слота')).toMatch(/no slot/);
    expect(usageError('')).toMatch(/no slot/);
  });

  it('keeps escapes literal', () => {
    const t = parseTemplate('{{скобки}} 100%% и 50% %s');
    expect(t.parts[0]).toEqual({ kind: 'text', text: '{скобки} 100% и 50% ' });
  });
});

describe('renderTemplate', () => {
  it('fills every slot with the same noun in the asked form', () => {
    const t = parseTemplate('Нет {noun:gent,plur} — нет проблем. Мечтаю о {noun:loct}, гуляю в {noun:loc2}.');
    expect(renderTemplate(t, 'городу')).toBe('Нет городов — нет проблем. Мечтаю о городе, гуляю в городе.');
    // лес has two prepositionals (о лесе, в лесу): {noun:loct} declines it, so the whole text does.
    expect(renderTemplate(t, 'лесу')).toBeNull();
    expect(renderTemplate(parseTemplate('Нет {noun:gent,plur}, гуляю в {noun:loc2}.'), 'лесу')).toBe('Нет лесов, гуляю в лесу.');
    // A slot that names no number keeps the noun's own.
    expect(renderTemplate(t, 'кошками')).toBe('Нет кошек — нет проблем. Мечтаю о кошках, гуляю в кошках.');
  });

  it('gives the dictionary form for %s, {}, {0}; plural-only nouns stay plural', () => {
    const t = parseTemplate('Я люблю: %s, {}, {0}.');
    expect(renderTemplate(t, 'кошек')).toBe('Я люблю: кошка, кошка, кошка.');
    expect(renderTemplate(t, 'ножницами')).toBe('Я люблю: ножницы, ножницы, ножницы.');
    expect(renderTemplate(t, 'людьми')).toBe('Я люблю: человек, человек, человек.');
  });

  it('capitalises {Noun…} and slots at a sentence start', () => {
    expect(renderTemplate(parseTemplate('%s — это жизнь'), 'кофе')).toBe('Кофе — это жизнь');
    expect(renderTemplate(parseTemplate('Ура! {noun:nomn,plur} идут. «{noun:nomn}» тоже'), 'люди')).toBe('Ура! Люди идут. «Люди» тоже');
    expect(renderTemplate(parseTemplate('Это {Noun:gent}'), 'дочь')).toBe('Это Дочери');
    expect(renderTemplate(parseTemplate('это {noun:ablt}'), 'Дочь')).toBe('это дочерью');
  });

  it('reports the forms per slot and returns null when a form cannot be made', () => {
    expect(renderDetailed(parseTemplate('{noun:gent,plur} и {Noun:ablt,sing}'), 'путь')).toEqual({ text: 'Путей и Путём', forms: ['Путей', 'Путём'] });
    expect(renderTemplate(parseTemplate('{noun:gent}'), 'бежать')).toBeNull();
    expect(renderTemplate(parseTemplate('{noun:accs,plur}'), 'ежи')).toBeNull();
  });
});

describe('weight', () => {
  it('counts as X does: Cyrillic and Latin 1, emoji 2, a URL 23', () => {
    expect(weightedLength('кот')).toBe(3);
    expect(weightedLength('cat')).toBe(3);
    expect(weightedLength('кот 😴')).toBe(3 + 1 + 2);
    expect(weightedLength('кот https://example.com/a/very/long/path/indeed')).toBe(3 + 1 + 23);
  });

  it('fits 280 Cyrillic letters, not 281, and never an empty text', () => {
    expect(fitsTweet('я'.repeat(280))).toBe(true);
    expect(fitsTweet('я'.repeat(281))).toBe(false);
    expect(fitsTweet('')).toBe(false);
  });
});

describe('templates that can never fit', () => {
  it('measures the fixed text with each slot at its shortest (one letter)', () => {
    expect(shortestLength(parseTemplate(`${'я'.repeat(279)}%s`))).toBe(280);
    expect(shortestLength(parseTemplate('Без {noun:gent,plur} жизнь 😴 https://example.com/x'))).toBe(4 + 1 + 6 + 1 + 2 + 1 + 23);
  });

  it('refuses fixed text over 280, or over 280 with the shortest noun, giving the weighted length', () => {
    expect(() => checkFits(parseTemplate(`${'я'.repeat(279)}%s`))).not.toThrow();
    expect(() => checkFits(parseTemplate(`${'я'.repeat(280)}%s`))).toThrow(/too long: 281 weighted characters with the shortest noun; X allows 280/);
    expect(() => checkFits(parseTemplate(`${'я'.repeat(290)} %s`))).toThrow(/too long: its fixed text alone weighs 291; X allows 280/);
    expect(() => checkFits(parseTemplate(`${'я'.repeat(290)} %s`))).toThrow(UsageError);
  });
});

describe("the writer's compose", () => {
  const tweet = 'Маша сказала, что кошки спят в шкафу весь день 😴 https://t.co/abc #котики @vasya';
  const entries = [{ entry: '1-0', id: '1', author: 'masha', author_id: '42', text: tweet, created_at: '' }];
  const run = (template: string) => compose({ memo: new Map() }, inThread(), 'r1', template, entries);

  it('returns candidates in text order with the noun and the tweet they came from', async () => {
    const c = await run('Без {noun:gent,plur} жизнь пуста. {Noun:nomn,plur} — это всё');
    expect(c.map((x) => x.text)).toEqual(['Без кошек жизнь пуста. Кошки — это всё', 'Без шкафов жизнь пуста. Шкафы — это всё']);
    expect(c[0]).toMatchObject({ noun: 'кошка', source: '1', entry: '1-0' });
  });

  it('skips texts over 280', async () => {
    // 276 before the noun: "шкаф" (4) fits at 280, "кошка" (5) would make 281.
    const c = await run(`${'а'.repeat(275)} %s`);
    expect(c.map((x) => [x.noun, weightedLength(x.text)])).toEqual([['шкаф', 280]]);
  });
});
