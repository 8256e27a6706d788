/**
 * The text engine's benchmark: a cold dictionary load, measured in a fresh process (a warm one would
 * only time a cache hit), and inflect throughput after loading, with and without the memo.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseWant, type Want } from '../text/grammemes.js';

const MAIN = fileURLToPath(new URL('./inflect-main.js', import.meta.url));
// The UD cases of the inflect test (CC BY-SA 4.0, see the README beside them); absent from a packed install.
const UD = fileURLToPath(new URL('../../test/fixtures/morph/ud-ru-noun-pairs.dev.jsonl', import.meta.url));

export interface InflectBench {
  dict_load_ms: number;
  /** The public inflect(): what a writer sees once its words have been seen (memo warm). */
  inflect_per_s: number;
  /** inflect() with the memo bypassed, lexeme tables warm. */
  inflect_uncached_per_s: number;
  /** The very first pass over the cases: nothing cached at all. */
  inflect_first_pass_per_s: number;
  cases: number;
}

/** Used when the test fixtures are absent: common nouns of every declension type, all twelve slots. */
const FALLBACK_WORDS = [
  'кошка', 'собаки', 'лесу', 'человек', 'людям', 'ребёнок', 'детей', 'время', 'пути', 'матери', 'дочерью',
  'кофе', 'метро', 'ножницы', 'сутки', 'город', 'страны', 'дома', 'окном', 'книгу', 'птицы', 'звёзды',
  'море', 'полем', 'ночью', 'друзья', 'телефон', 'машине', 'дороге', 'небо', 'солнца', 'деревья', 'весна',
];
const WANTS = ['nomn,sing', 'gent,sing', 'datv,sing', 'accs,sing', 'ablt,sing', 'loct,sing', 'nomn,plur', 'gent,plur', 'datv,plur', 'accs,plur', 'ablt,plur', 'loct,plur'];

function cases(): Array<[string, Want]> {
  if (existsSync(UD)) {
    return readFileSync(UD, 'utf8').trim().split('\n').map((l) => {
      const r = JSON.parse(l) as { from: string; want: string };
      return [r.from, parseWant(r.want)];
    });
  }
  return FALLBACK_WORDS.flatMap((w) => WANTS.map((g): [string, Want] => [w, parseWant(g)]));
}

function loadInFreshProcess(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, '--load-only'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`inflect load bench exited ${code}`));
      resolve((JSON.parse(out.trim().split('\n').pop()!) as { dict_load_ms: number }).dict_load_ms);
    });
  });
}

/** Times `fn` over the cases for at least `minMs`, returning calls per second. */
function rate(list: Array<[string, Want]>, fn: (w: string, want: Want) => unknown, minMs = 300): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (const [w, want] of list) fn(w, want);
    calls += list.length;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return Math.round((calls / elapsed) * 1000);
}

export async function benchInflect(): Promise<InflectBench> {
  // Best of three fresh processes: a cold load each time, with less of the host's other work in it.
  const loads = [await loadInFreshProcess(), await loadInFreshProcess(), await loadInFreshProcess()];
  const dict_load_ms = Math.round(Math.min(...loads));

  const morph = await import('../text/morph.js');
  await morph.loadMorph();
  const list = cases();
  const t0 = performance.now();
  for (const [w, want] of list) morph.inflectUncached(w, want);
  const inflect_first_pass_per_s = Math.round((list.length / (performance.now() - t0)) * 1000);
  const inflect_uncached_per_s = rate(list, morph.inflectUncached);
  for (const [w, want] of list) morph.inflect(w, want); // fill the memo: this figure is the warm one
  const inflect_per_s = rate(list, morph.inflect);
  return { dict_load_ms, inflect_per_s, inflect_uncached_per_s, inflect_first_pass_per_s, cases: list.length };
}
