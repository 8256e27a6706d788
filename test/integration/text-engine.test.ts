import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { inThread, type TextEngine } from '../../src/text/engine.js';

/**
 * The text engine's thread, as a tick runs it: the compiled worker (dist/, built by `npm test` before the
 * tests run) must make exactly the texts the calling thread makes, report what it cannot make, and hold
 * the process only while it is asked something.
 */
const DIST_ENGINE = new URL('../../dist/text/engine.js', import.meta.url);
const WORKER = new URL('../../dist/text/worker.js', import.meta.url);
const { ThreadEngine } = (await import(DIST_ENGINE.href)) as typeof import('../../src/text/engine.js');

const TWEETS = [
  'Маша сказала, что кошки спят в шкафу весь день 😴 https://t.co/abc #котики @vasya',
  'В лесу родилась ёлочка, в лесу она росла',
  'Дети и взрослые любят метро и кофе',
  'ok',
];
const TEMPLATES = ['%s', 'Без {noun:gent,plur} жизнь пуста. {Noun:nomn,plur} — это всё', `${'а'.repeat(275)} %s`, 'Гуляю в {noun:loc2}'];

describe('the text engine on its own thread', () => {
  const engines: Array<InstanceType<typeof ThreadEngine>> = [];
  const thread = () => {
    const e = new ThreadEngine(WORKER);
    engines.push(e);
    return e;
  };
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
  });

  it('makes the same texts as the calling thread, tweet by tweet, with and without the ones over 280', async () => {
    const here: TextEngine = inThread();
    const there = thread();
    for (const template of TEMPLATES) {
      for (const keep of [false, true]) {
        const [a, b] = await Promise.all([here.make(template, TWEETS, keep), there.make(template, TWEETS, keep)]);
        expect(b).toEqual(a);
      }
    }
    // Not vacuous: the templates make texts, and the long one drops some unless asked to keep them.
    expect((await there.make('%s', TWEETS, false)).map((t) => t.map((m) => m.noun))).toEqual([['кошка', 'шкаф'], ['лес', 'ёлочка'], ['ребёнок', 'взрослый', 'метро', 'кофе'], []]);
    const long = `${'а'.repeat(275)} %s`;
    expect((await there.make(long, TWEETS.slice(0, 1), false))[0]!.map((m) => m.noun)).toEqual(['шкаф']);
    expect((await there.make(long, TWEETS.slice(0, 1), true))[0]!.map((m) => m.noun)).toEqual(['кошка', 'шкаф']);
  });

  it('answers requests made at once, each with its own texts', async () => {
    const there = thread();
    const asked = TWEETS.map((t) => there.make('{Noun:gent,plur}!', [t], false));
    const got = await Promise.all(asked);
    expect(got.map((g) => g.length)).toEqual([1, 1, 1, 1]);
    expect(got[0]![0]!.map((m) => m.text)).toEqual(['Кошек!', 'Шкафов!']);
  });

  it('reports a template it cannot use as the calling thread does, and goes on', async () => {
    const there = thread();
    const here = inThread();
    const bad = '{noun:xyzzy}';
    const message = await here.make(bad, TWEETS, false).then(() => 'made', (e: Error) => e.message);
    expect(message).not.toBe('made');
    await expect(there.make(bad, TWEETS, false)).rejects.toThrow(message);
    expect(await there.make('%s', ['кошки'], false)).toEqual([[{ text: 'Кошка', noun: 'кошка' }]]);
  });

  it('fails what is asked after its thread stopped', async () => {
    const there = thread();
    await there.make('%s', ['кошки'], false);
    await there.close();
    await expect(there.make('%s', ['кошки'], false)).rejects.toThrow(/the text worker stopped/);
  });

  it('keeps a process alive while it is asked something, and lets it end once answered', async () => {
    // A top-level await left hanging ends node with exit code 13: the thread must hold the process until it answers.
    const dir = mkdtempSync(join(tmpdir(), 'tfctl-engine-'));
    const script = join(dir, 'make.mjs');
    // The second request is made to a thread that has started and gone idle (unheld) after the first.
    const make = (tweet: string) => `console.log(JSON.stringify(await m.textEngine().make('%s', [${JSON.stringify(tweet)}], false)));`;
    writeFileSync(script, [`const m = await import(${JSON.stringify(DIST_ENGINE.href)});`, make('кошки спят'), make('собаки спят'), ''].join('\n'));
    try {
      // The timeout fails the test if the idle thread held the process once it had answered.
      const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 20_000 });
      expect(stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([[[{ text: 'Кошка', noun: 'кошка' }]], [[{ text: 'Собака', noun: 'собака' }]]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
