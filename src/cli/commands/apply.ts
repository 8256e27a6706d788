import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { OperationalError, UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface ApplyOptions {
  file: string;
  prune?: boolean;
  yes?: boolean;
  json?: boolean;
  /** Where env:NAME secret references are read (the process's environment). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Makes the farm match a farm file: shows the plan, asks (unless --yes), then creates, changes and
 * (with --prune) destroys bots in a safe order. A file with any problem is refused before Redis is
 * touched; bots whose settings change keep their caches, posted texts and counters.
 */
export async function run(opts: ApplyOptions, io: Io, config: Config): Promise<{ changes: boolean }> {
  const ff = await import('../../farmfile/index.js');
  const farmFile = await ff.loadFarmFile(opts.file, opts.env ?? process.env, config.prefix);
  return withFarm(config, async (farm) => {
    const plan = await ff.planFor(farm, farmFile, opts.prune === true);
    const json = ff.planJson(plan, opts.file, config.prefix);
    if (ff.planIsEmpty(plan)) {
      if (opts.json) printJson({ ...json, applied: true }, io);
      else io.out(`${ff.planLines(plan, opts.file).join('\n')}\n`);
      return { changes: false };
    }
    if (!opts.json) io.out(`${ff.planLines(plan, opts.file).join('\n')}\n`);
    if (!opts.yes) {
      if (!io.ask) throw new UsageError(`apply ${opts.file}: pass --yes to confirm (stdin is not a terminal)`);
      const answer = await io.ask('apply these changes? [y/N] ');
      if (!/^y(es)?$/i.test(answer.trim())) throw new OperationalError('nothing applied');
    }
    const done = { created: 0, changed: 0, destroyed: 0 };
    await ff.applyPlan(farm, plan, (step) => {
      done[step.op]++;
      if (!opts.json) io.out(`${step.op} ${step.kind} ${step.name}${step.op === 'changed' ? `: ${step.keys.join(', ')}` : ''}\n`);
    });
    if (opts.json) printJson({ ...json, applied: true }, io);
    else io.out(`applied: ${done.created} created, ${done.changed} changed, ${done.destroyed} destroyed\n`);
    return { changes: true };
  });
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('apply')
    .description('make the farm match a farm file: create, change and (with --prune) destroy bots, keeping their data')
    .argument('<file>', 'the farm file, e.g. farm.yaml')
    .option('--prune', 'destroy the bots the file does not name (consumers before their sources)')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .option('--json', 'print the plan carried out as JSON')
    .action(async (file: string, opts: { prune?: boolean; yes?: boolean; json?: boolean }) => {
      await run({ file, ...opts }, ctx.io, ctx.config());
    });
}
