import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { KINDS, PHASES, schemaOf } from '../../src/bots/index.js';
import { run as kinds } from '../../src/cli/commands/kinds.js';
import type { CommandContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { bufferIo } from '../helpers/io.js';

/** The help commander prints for these words, in-process. */
async function help(words: string[]): Promise<string> {
  const io = bufferIo();
  const ctx: CommandContext = { io, config: () => loadConfig({}) };
  const argv = ['node', 'tfctl', ...words];
  const program = await buildProgram(argv, ctx);
  let text = '';
  for (const cmd of [program, ...program.commands]) cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  await expect(program.parseAsync(argv)).rejects.toSatisfy((e) => e instanceof CommanderError && e.code === 'commander.helpDisplayed');
  return text;
}

describe('tfctl kinds', () => {
  it('lists reader and writer with their family and settings, types, defaults and meaning', async () => {
    const io = bufferIo();
    await kinds({ json: true }, io);
    const listed = JSON.parse(io.stdout) as Array<{ name: string; family: string; summary: string; settings: Array<{ key: string; aliases: string[]; type: string; default: unknown; required: boolean; help: string }> }>;
    expect(listed.map((k) => [k.name, k.family])).toEqual([['reader', 'source'], ['writer', 'consumer'], ['collector', 'source'], ['tracker', 'standalone'], ['scheduler', 'standalone'], ['retweeter', 'consumer']]);
    const writer = listed[1]!;
    expect(writer.summary).toMatch(/template/);
    const byKey = Object.fromEntries(writer.settings.map((s) => [s.key, s]));
    expect(Object.keys(byKey)).toEqual(['every', 'paused', 'token', 'secret', 'source', 'template', 'per-tick', 'grab', 'hashtags', 'hashtag-mode']);
    expect(byKey.source).toMatchObject({ aliases: ['reader'], type: 'bot', required: true });
    expect(byKey['per-tick']).toMatchObject({ type: 'integer 1-50', default: 1, required: false });
    expect(byKey.every).toMatchObject({ type: 'duration', default: '1h' });
    expect(byKey.template!.help).toMatch(/what it posts/);
    expect(listed[0]!.settings.map((s) => s.key)).toEqual(['every', 'paused', 'token', 'secret']);
  });

  it('prints the same as text, one block per kind', async () => {
    const io = bufferIo();
    await kinds({}, io);
    expect(io.stdout).toMatch(/^reader \(source\): .*home timeline/m);
    expect(io.stdout).toMatch(/^writer \(consumer\): /m);
    expect(io.stdout).toMatch(/^ {2}per-tick +posts per tick at most \(integer 1-50; default 1\)$/m);
  });
});

describe('create <name> <kind> --help', () => {
  it("shows the writer's settings for a writer", async () => {
    const text = await help(['create', 'x', 'writer', '--help']);
    expect(text).toMatch(/create a writer bot/);
    for (const flag of ['--source <name>', '--reader <name>', '--template <text>', '--per-tick <n>', '--grab <n>', '--every <duration>', '--token <token>']) expect(text).toContain(flag);
  });

  it("shows only the reader's settings for a reader, and every kind's by kind without one", async () => {
    const reader = await help(['create', 'x', 'reader', '--help']);
    expect(reader).toContain('--every <duration>');
    expect(reader).not.toContain('--template');
    const all = await help(['create', '--help']);
    expect(all).toMatch(/--template <text> +writer: what it posts/);
    expect(all).toContain('tfctl create <name> <kind> --help');
  });
});

describe('the registry', () => {
  it('runs sources before consumers, and gives every kind the common settings', () => {
    expect(PHASES.map((p) => p.map((k) => k.family))).toEqual([['source', 'source'], ['consumer', 'consumer'], ['standalone', 'standalone']]);
    for (const k of KINDS) expect(schemaOf(k).slice(0, 4).map((s) => s.key)).toEqual(['every', 'paused', 'token', 'secret']);
  });
});
