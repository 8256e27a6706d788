import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CommandContext, Io } from '../context.js';

export interface InflectOptions {
  word?: string;
  grammemes?: string;
  /** One JSON object per answer: {word, grammemes, form} (NDJSON from stdin, with the line number). */
  json?: boolean;
}

/**
 * `tfctl inflect WORD GRAMMEMES` prints one form; with no arguments it answers `input` lines
 * `word<TAB>grammemes` one output line each, in order, an empty line where it declines.
 * Grammemes in OpenCorpora (`gent,plur`) or Russian (`род,мн`) names. Returns the exit code: 1 when
 * the one word asked for cannot be inflected.
 */
export async function run(opts: InflectOptions, io: Io, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const { word, grammemes } = opts;
  if (word !== undefined && grammemes === undefined) throw new UsageError('inflect: give both WORD and GRAMMEMES, or neither to read stdin');
  // Grammemes are checked before the dictionaries load, so a typo fails fast.
  const { parseWant, tryParseWant, GrammemeError } = await import('../../text/grammemes.js');
  if (word !== undefined && grammemes !== undefined) {
    let want;
    try {
      want = parseWant(grammemes);
    } catch (e) {
      if (e instanceof GrammemeError) throw new UsageError(`inflect: ${e.message}`);
      throw e;
    }
    const morph = await import('../../text/morph.js');
    await morph.loadMorph();
    const form = morph.inflect(word, want);
    if (opts.json) io.out(`${JSON.stringify({ word, grammemes, form })}\n`);
    if (form === null) {
      io.err(`tfctl: inflect: cannot inflect "${word}" to ${grammemes} (not a dictionary noun, ambiguous, or no such form)\n`);
      return 1;
    }
    if (!opts.json) io.out(`${form}\n`);
    return 0;
  }
  const morph = await import('../../text/morph.js');
  await morph.loadMorph();
  return batch(morph.inflect, tryParseWant, io, input, opts.json ?? false);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('inflect')
    .description('inflect a Russian noun: WORD GRAMMEMES (e.g. gent,plur or род,мн), or word<TAB>grammemes lines on stdin')
    .argument('[word]', 'a noun, in any of its forms')
    .argument('[grammemes]', 'case and optional number: nomn gent datv accs ablt loct loc2 / им род дат вин твор пред, sing plur / ед мн')
    .option('--json', 'print {"word","grammemes","form"} (form null when it declines); from stdin one such line per input line, with "line"')
    .action(async (word: string | undefined, grammemes: string | undefined, opts: { json?: boolean }) => {
      const code = await run({ word, grammemes, json: opts.json }, ctx.io);
      if (code) process.exitCode = code;
    });
}

type Inflect = (typeof import('../../text/morph.js'))['inflect'];
type TryParseWant = (typeof import('../../text/grammemes.js'))['tryParseWant'];

const MAX_NAMED = 10;

/** Streams stdin to stdout line by line, buffering output in chunks and honouring backpressure. */
async function batch(inflect: Inflect, tryParseWant: TryParseWant, io: Io, input: NodeJS.ReadableStream, json: boolean): Promise<number> {
  const { createInterface } = await import('node:readline'); // loaded on use: start-up stays lean
  const rl = createInterface({ input, crlfDelay: Infinity });
  let out = '';
  let bad = 0;
  let n = 0;
  let noTab = 0;
  const flush = async () => {
    if (!out) return;
    const ok = io.out(out);
    out = '';
    if (ok === false) await io.drain?.();
  };
  for await (const line of rl) {
    n++;
    const tab = line.indexOf('\t');
    // A line with a word but no tab is answered (empty) like any other, so output lines still match input
    // lines; the warning says which, since a pipe of thousands hides it otherwise. The first few are named.
    if (tab < 0 && line.trim() !== '' && ++noTab <= MAX_NAMED) io.err(`tfctl: inflect: line ${n}: no tab between word and grammemes (expected word<TAB>grammemes)\n`);
    const word = (tab < 0 ? line : line.slice(0, tab)).trim();
    const want = tab < 0 ? null : tryParseWant(line.slice(tab + 1));
    if (tab >= 0 && !want) bad++;
    const form = word && want ? inflect(word, want) : null;
    out += json ? `${JSON.stringify({ line: n, word, grammemes: tab < 0 ? null : line.slice(tab + 1).trim(), form })}\n` : `${form ?? ''}\n`;
    if (out.length >= 16_384) await flush();
  }
  await flush();
  if (noTab > MAX_NAMED) io.err(`tfctl: inflect: ${noTab - MAX_NAMED} more line(s) without a tab\n`);
  if (bad) io.err(`tfctl: inflect: ${bad} line(s) with unknown grammemes answered with an empty line\n`);
  return 0;
}
