import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface DiffOptions {
  file: string;
  prune?: boolean;
  json?: boolean;
  /** Where env:NAME secret references are read (the process's environment). */
  env?: NodeJS.ProcessEnv;
}

/**
 * What `tfctl apply FILE` would change, field by field (secrets only as changed or not). Resolves to
 * whether anything would change: the command exits 1 then, 0 when the farm matches (like
 * `terraform plan -detailed-exitcode`), and 2 for a file it refuses.
 */
export async function run(opts: DiffOptions, io: Io, config: Config): Promise<{ changes: boolean }> {
  const ff = await import('../../farmfile/index.js');
  const farmFile = await ff.loadFarmFile(opts.file, opts.env ?? process.env, config.prefix);
  const plan = await withFarm(config, (farm) => ff.planFor(farm, farmFile, opts.prune === true));
  if (opts.json) printJson(ff.planJson(plan, opts.file, config.prefix), io);
  else io.out(`${ff.planLines(plan, opts.file).join('\n')}\n`);
  return { changes: !ff.planIsEmpty(plan) };
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('diff')
    .description('what `tfctl apply FILE` would create, change and (with --prune) destroy; exit 0: nothing, 1: changes, 2: a bad file')
    .argument('<file>', 'the farm file, e.g. farm.yaml')
    .option('--prune', 'also show the bots the file does not name, which apply --prune destroys')
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, opts: { prune?: boolean; json?: boolean }) => {
      const { changes } = await run({ file, ...opts }, ctx.io, ctx.config());
      if (changes) process.exitCode = 1;
    });
}
