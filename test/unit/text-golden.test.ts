import { beforeAll, describe, expect, it } from 'vitest';
import { inflect, loadMorph } from '../../src/text/morph.js';

/**
 * Hand-checked paradigms: every form below was written down from grammar, not from the code.
 * Order: nomn gent datv accs ablt loct, singular then plural.
 * ё: a word typed with ё, or with no ё to give the writer away (время), gets dictionary ё (времён);
 * a word typed with е where the dictionary has ё (ребенок) gets е back.
 * Plural-only nouns (ножницы, сутки) answer singular slots with the plural: it is the only form there is.
 * "—" marks a slot we expect declined (null): the dictionary has two nouns that answer it differently,
 * or the noun has two prepositionals (loct of a noun with a second locative: о лесе / в лесу, and the
 * slot does not say which preposition it follows; loc2 asks for "в лесу").
 */
const CASES = ['nomn', 'gent', 'datv', 'accs', 'ablt', 'loct'] as const;

const GOLDEN: Record<string, string> = {
  человек: 'человек человека человеку человека человеком человеке | люди людей людям людей людьми людях',
  ребёнок: 'ребёнок ребёнка ребёнку ребёнка ребёнком ребёнке | дети детей детям детей детьми детях',
  время: 'время времени времени время временем времени | времена времён временам времена временами временах',
  путь: 'путь пути пути путь путём пути | пути путей путям пути путями путях',
  мать: 'мать матери матери мать матерью матери | матери матерей матерям матерей матерями матерях',
  дочь: 'дочь дочери дочери дочь дочерью дочери | дочери дочерей дочерям дочерей дочерьми дочерях',
  кофе: 'кофе кофе кофе кофе кофе кофе | кофе кофе кофе кофе кофе кофе',
  пальто: 'пальто пальто пальто пальто пальто пальто | пальто пальто пальто пальто пальто пальто',
  метро: 'метро метро метро метро метро метро | метро метро метро метро метро метро',
  ножницы: 'ножницы ножниц ножницам ножницы ножницами ножницах | ножницы ножниц ножницам ножницы ножницами ножницах',
  сутки: 'сутки суток суткам сутки сутками сутках | сутки суток суткам сутки сутками сутках',
  // loct sing "—" here and below: о лесе or в лесу, о глазе or в глазу, о доме or на дому, о дне or на дню.
  лес: 'лес леса лесу лес лесом — | леса лесов лесам леса лесами лесах',
  сад: 'сад сада саду сад садом — | сады садов садам сады садами садах',
  шкаф: 'шкаф шкафа шкафу шкаф шкафом — | шкафы шкафов шкафам шкафы шкафами шкафах',
  кошка: 'кошка кошки кошке кошку кошкой кошке | кошки кошек кошкам кошек кошками кошках',
  собака: 'собака собаки собаке собаку собакой собаке | собаки собак собакам собак собаками собаках',
  стол: 'стол стола столу стол столом столе | столы столов столам столы столами столах',
  окно: 'окно окна окну окно окном окне | окна окон окнам окна окнами окнах',
  город: 'город города городу город городом городе | города городов городам города городами городах',
  книга: 'книга книги книге книгу книгой книге | книги книг книгам книги книгами книгах',
  брат: 'брат брата брату брата братом брате | братья братьев братьям братьев братьями братьях',
  друг: 'друг друга другу друга другом друге | друзья друзей друзьям друзей друзьями друзьях',
  месяц: 'месяц месяца месяцу месяц месяцем месяце | месяцы месяцев месяцам месяцы месяцами месяцах',
  море: 'море моря морю море морем море | моря морей морям моря морями морях',
  // gent plur: лет, the form counting and quantity use (пять лет); годов lives on in "90-х годов".
  год: 'год года году год годом — | годы лет годам годы годами годах',
  имя: 'имя имени имени имя именем имени | имена имён именам имена именами именах',
  дерево: 'дерево дерева дереву дерево деревом дереве | деревья деревьев деревьям деревья деревьями деревьях',
  // accs plur: звёзд (film stars, animate) or звёзды (in the sky): the dictionary has both, we decline.
  звезда: 'звезда звезды звезде звезду звездой звезде | звёзды звёзд звёздам — звёздами звёздах',
  ночь: 'ночь ночи ночи ночь ночью ночи | ночи ночей ночам ночи ночами ночах',
  король: 'король короля королю короля королём короле | короли королей королям королей королями королях',
  музей: 'музей музея музею музей музеем музее | музеи музеев музеям музеи музеями музеях',
  армия: 'армия армии армии армию армией армии | армии армий армиям армии армиями армиях',
  здание: 'здание здания зданию здание зданием здании | здания зданий зданиям здания зданиями зданиях',
  учитель: 'учитель учителя учителю учителя учителем учителе | учителя учителей учителям учителей учителями учителях',
  глаз: 'глаз глаза глазу глаз глазом — | глаза глаз глазам глаза глазами глазах',
  ухо: 'ухо уха уху ухо ухом ухе | уши ушей ушам уши ушами ушах',
  день: 'день дня дню день днём — | дни дней дням дни днями днях',
  мышь: 'мышь мыши мыши мышь мышью мыши | мыши мышей мышам мышей мышами мышах',
  телефон: 'телефон телефона телефону телефон телефоном телефоне | телефоны телефонов телефонам телефоны телефонами телефонах',
  неделя: 'неделя недели неделе неделю неделей неделе | недели недель неделям недели неделями неделях',
  сосед: 'сосед соседа соседу соседа соседом соседе | соседи соседей соседям соседей соседями соседях',
  письмо: 'письмо письма письму письмо письмом письме | письма писем письмам письма письмами письмах',
  // accs: ежа (the animal) or ёж (the anti-tank obstacle, inanimate): both in the dictionary, we decline.
  ёж: 'ёж ежа ежу — ежом еже | ежи ежей ежам — ежами ежах',
  рубль: 'рубль рубля рублю рубль рублём рубле | рубли рублей рублям рубли рублями рублях',
  семья: 'семья семьи семье семью семьёй семье | семьи семей семьям семьи семьями семьях',
  дом: 'дом дома дому дом домом — | дома домов домам дома домами домах',
};

beforeAll(async () => {
  await loadMorph();
});

describe('golden paradigms (hand-checked)', () => {
  it('covers at least 40 nouns × 6 cases × 2 numbers', () => {
    expect(Object.keys(GOLDEN).length).toBeGreaterThanOrEqual(40);
  });

  for (const [lemma, line] of Object.entries(GOLDEN)) {
    it(lemma, () => {
      const [sing, plur] = line.split(' | ').map((half) => half.split(' '));
      const want: Record<string, string> = {};
      const got: Record<string, string> = {};
      CASES.forEach((c, i) => {
        want[`${c},sing`] = sing![i]!;
        want[`${c},plur`] = plur![i]!;
        got[`${c},sing`] = inflect(lemma, `${c},sing`) ?? '—';
        got[`${c},plur`] = inflect(lemma, `${c},plur`) ?? '—';
      });
      expect(got).toEqual(want);
    });
  }
});

describe('from any form, to any form', () => {
  it.each([
    ['людей', 'nomn,sing', 'человек'],
    ['люди', 'gent,plur', 'людей'],
    ['детьми', 'nomn,sing', 'ребёнок'],
    ['путём', 'gent,plur', 'путей'],
    ['матерью', 'datv,plur', 'матерям'],
    ['дочерьми', 'ablt,sing', 'дочерью'],
    ['кошкам', 'gent,plur', 'кошек'],
    ['временем', 'nomn,plur', 'времена'],
    ['ножниц', 'nomn,sing', 'ножницы'],
  ])('%s → %s = %s', (word, want, form) => {
    expect(inflect(word, want)).toBe(form);
  });
});

describe('loc2 ("в лесу")', () => {
  it.each([
    ['лес', 'лесу'],
    ['сад', 'саду'],
    ['шкаф', 'шкафу'],
    ['год', 'году'],
    ['берег', 'берегу'],
    ['угол', 'углу'],
  ])('%s → в %s', (word, form) => {
    expect(inflect(word, 'loc2')).toBe(form);
    expect(inflect(word, 'loc2,sing')).toBe(form);
  });

  it('falls back to the prepositional where there is no second locative', () => {
    expect(inflect('кошка', 'loc2')).toBe('кошке');
    expect(inflect('море', 'loc2')).toBe('море');
    expect(inflect('лес', 'loc2,plur')).toBe('лесах');
  });

  it('declines loct for a noun with a second locative: о лесе or в лесу depends on the preposition', () => {
    expect(inflect('лес', 'loct,sing')).toBeNull();
    expect(inflect('лесу', 'пред')).toBeNull();
    expect(inflect('году', 'loct')).toBeNull();
    // Nouns without a (standard) second locative keep their one prepositional.
    expect(inflect('город', 'loct,sing')).toBe('городе');
    expect(inflect('стол', 'loct,sing')).toBe('столе'); // на столу is colloquial (Infr): not a second answer
    expect(inflect('язык', 'loct,sing')).toBe('языке');
    expect(inflect('лес', 'loct,plur')).toBe('лесах');
  });
});

describe('spelling of the answer follows the input', () => {
  it('keeps capitalisation: lower, Capitalised, UPPER', () => {
    expect(inflect('Кошка', 'gent,plur')).toBe('Кошек');
    expect(inflect('КОШКА', 'ablt,sing')).toBe('КОШКОЙ');
    expect(inflect('кошка', 'datv,plur')).toBe('кошкам');
  });

  it('gives е back to a writer who typed е for ё, ё to one who typed ё', () => {
    expect(inflect('ребенок', 'gent,sing')).toBe('ребенка');
    expect(inflect('ребёнок', 'gent,sing')).toBe('ребёнка');
    expect(inflect('елка', 'nomn,plur')).toBe('елки');
    expect(inflect('ёлка', 'nomn,plur')).toBe('ёлки');
  });

  it('uses Russian grammeme names too', () => {
    expect(inflect('кошка', 'род,мн')).toBe('кошек');
    expect(inflect('лес', 'пр2')).toBe('лесу');
  });

  it('keeps the noun\'s own number when the slot names none', () => {
    expect(inflect('кошкам', 'gent')).toBe('кошек');
    expect(inflect('кошке', 'gent')).toBe('кошки');
  });
});

describe('the az traps', () => {
  it('never answers with archaic, abbreviated or colloquial variants', () => {
    expect(inflect('брат', 'gent,plur')).toBe('братьев'); // not братий
    expect(inflect('месяц', 'nomn,sing')).toBe('месяц'); // not мес
    expect(inflect('год', 'nomn,plur')).toBe('годы'); // not года (Infr)
    expect(inflect('человек', 'gent,plur')).toBe('людей'); // not человек (counting form)
    expect(inflect('учитель', 'nomn,plur')).toBe('учителя'); // not the bookish учители, listed first
  });

  it('reads море as the sea, not the plague (мор)', () => {
    expect(inflect('море', 'gent,sing')).toBe('моря');
  });

  it('prefers the noun reading of a word that is mostly a verb (стали → сталь)', () => {
    expect(inflect('стали', 'ablt,sing')).toBe('сталью');
  });

  it('declines what is not a dictionary noun', () => {
    expect(inflect('бежать', 'gent,sing')).toBeNull();
    expect(inflect('красивый', 'gent,sing')).toBeNull();
    expect(inflect('кркрквыа', 'gent,sing')).toBeNull();
    expect(inflect('https://t.co', 'gent,sing')).toBeNull();
    expect(inflect('', 'gent,sing')).toBeNull();
  });

  it('declines a lemma that is genuinely ambiguous (дне: день or дно)', () => {
    expect(inflect('дне', 'nomn,sing')).toBeNull();
  });

  it('declines a word that is most likely an abbreviation of another noun (чел: человек, not чело)', () => {
    expect(inflect('чел', 'gent,sing')).toBeNull();
    expect(inflect('чел', 'nomn,plur')).toBeNull();
    // An abbreviation reading that is far less likely than the word's own noun does not get in the way.
    expect(inflect('гор', 'nomn,sing')).toBe('гора'); // not "г." for город
    expect(inflect('тел', 'nomn,sing')).toBe('тело'); // not "тел." for телефон
  });
});
