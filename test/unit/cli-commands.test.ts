import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { commands } from '../../src/cli/commands/index.js';
import { processContext } from '../../src/cli/context.js';

describe('registering subcommands', () => {
  it('files each command under the name it registers', async () => {
    for (const [name, load] of Object.entries(commands)) {
      const program = new Command('tfctl');
      (await load()).register(program, processContext, []);
      const [cmd, ...more] = program.commands;
      expect(more).toEqual([]);
      expect([cmd!.name(), ...cmd!.aliases()]).toContain(name);
    }
  });

  it('builds only the named command, and all of them for help or an unknown word', async () => {
    expect((await buildProgram(['node', 'tfctl', '--verbose', 'list', '--json'])).commands.map((c) => c.name())).toEqual(['list']);
    const all = Object.keys(commands).filter((name) => name !== 'doctor'); // an alias, not a second command
    expect((await buildProgram(['node', 'tfctl', 'doctor', '--json'])).commands.map((c) => c.name())).toEqual(['config']);
    expect((await buildProgram(['node', 'tfctl'])).commands.map((c) => c.name())).toEqual(all);
    expect((await buildProgram(['node', 'tfctl', 'help', 'list'])).commands.map((c) => c.name())).toEqual(all);
    expect((await buildProgram(['node', 'tfctl', 'lsit'])).commands.map((c) => c.name())).toEqual(all);
    expect((await buildProgram(['node', 'tfctl', 'constructor'])).commands.map((c) => c.name())).toEqual(all);
  });
});
