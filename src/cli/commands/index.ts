import type { Command } from 'commander';
import { processContext, type CommandContext } from '../context.js';

/**
 * Every subcommand lives in its own file and exports `register(program, ctx, argv)`, which declares its
 * options and whose action calls the file's `run(opts, io, config)`; tests call run() in-process with
 * their own io and config. Keep the static imports of src/cli light: heavy modules (az, twitter-api-v2,
 * twitter-text, influx, tar, node-cron, the sandbox) are loaded with dynamic import() inside the action
 * that needs them, so `tfctl list` starts fast.
 */
type Register = (program: Command, ctx: CommandContext, argv: string[]) => void;

/**
 * Every subcommand by its name (and an alias by its own), in the order help lists them: how to load its
 * file. A file is loaded only when its command runs (or help lists them all), so a cold `tfctl list`
 * neither runs nor, with the bundle's lazy modules, even starts any other command's dependencies.
 */
export const commands: Record<string, () => Promise<{ register: Register }>> = {
  create: () => import('./create.js'),
  list: () => import('./list.js'),
  show: () => import('./show.js'),
  set: () => import('./set.js'),
  destroy: () => import('./destroy.js'),
  tick: () => import('./tick.js'),
  stats: () => import('./stats.js'),
  cron: () => import('./cron.js'),
  preview: () => import('./preview.js'),
  inflect: () => import('./inflect.js'),
  sandbox: () => import('./sandbox.js'),
  export: () => import('./export.js'),
  import: () => import('./import.js'),
  run: () => import('./run.js'),
  auth: () => import('./auth.js'),
  kinds: () => import('./kinds.js'),
  diff: () => import('./diff.js'),
  apply: () => import('./apply.js'),
  config: () => import('./config.js'),
  doctor: () => import('./config.js'),
  rules: () => import('./rules.js'),
  tail: () => import('./tail.js'),
  stream: () => import('./stream.js'),
  top: () => import('./top.js'),
  events: () => import('./events.js'),
  drafts: () => import('./drafts.js'),
  backup: () => import('./backup.js'),
};

/**
 * Registers the subcommands. When argv names one of them, only that one: loading the others' files
 * would cost every cold start their modules for nothing. Anything else (no command, a typo, `help`)
 * gets them all, for the help text and suggestions.
 */
export async function registerCommands(program: Command, argv: string[], ctx: CommandContext = processContext): Promise<void> {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (name !== undefined && Object.hasOwn(commands, name)) return (await commands[name]!()).register(program, ctx, argv);
  // `tfctl --version` is answered by the program itself; no command's file is needed for it.
  const words = argv.slice(2);
  if (name === undefined && words.some((w) => w === '--version' || w === '-V') && !words.some((w) => w === '--help' || w === '-h')) return;
  // An alias loads the same module as its command: one registration each.
  const files = new Set(await Promise.all(Object.values(commands).map((load) => load())));
  for (const file of files) file.register(program, ctx, argv);
}
