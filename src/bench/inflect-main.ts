/**
 * `node dist/bench/inflect-main.js`: the text engine's benchmark alone, one JSON line on stdout.
 * With `--load-only` (used by benchInflect in a fresh process): only the cold dictionary load.
 */
import { benchInflect } from './inflect.js';

if (process.argv.includes('--load-only')) {
  const start = performance.now();
  const { loadMorph } = await import('../text/morph.js');
  await loadMorph();
  process.stdout.write(`${JSON.stringify({ dict_load_ms: performance.now() - start })}\n`);
} else {
  process.stdout.write(`${JSON.stringify(await benchInflect())}\n`);
}
