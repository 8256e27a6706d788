import type { Command } from 'commander';
import { processContext, type CommandContext } from '../context.js';
import { register as create } from './create.js';
import { register as destroy } from './destroy.js';
import { register as inflect } from './inflect.js';
import { register as list } from './list.js';
import { register as set } from './set.js';
import { register as preview } from './preview.js';
import { register as sandbox } from './sandbox.js';
import { register as show } from './show.js';
import { register as stats } from './stats.js';
import { register as cron } from './cron.js';
import { register as tick } from './tick.js';
import { register as exportCmd } from './export.js';
import { register as importCmd } from './import.js';
import { register as run } from './run.js';
import { register as auth } from './auth.js';
import { register as kinds } from './kinds.js';
import { register as diff } from './diff.js';
import { register as apply } from './apply.js';
import { register as config } from './config.js';
import { register as rules } from './rules.js';
import { register as tail } from './tail.js';
import { register as stream } from './stream.js';
import { register as top } from './top.js';
import { register as events } from './events.js';
import { register as drafts } from './drafts.js';
import { register as backup } from './backup.js';

/**
 * Every subcommand lives in its own file and exports `register(program, ctx, argv)`, which declares its
 * options and whose action calls the file's `run(opts, io, config)`; tests call run() in-process with
 * their own io and config. Keep the static imports of src/cli light: heavy modules (az, twitter-api-v2,
 * twitter-text, influx, tar, node-cron, the sandbox) are loaded with dynamic import() inside the action
 * that needs them, so `tfctl list` starts fast.
 */
type Register = (program: Command, ctx: CommandContext, argv: string[]) => void;

/** Every subcommand by its name (and an alias by its own), in the order help lists them. */
export const commands: Record<string, Register> = {
  create,
  list,
  show,
  set,
  destroy,
  tick,
  stats,
  cron,
  preview,
  inflect,
  sandbox,
  export: exportCmd,
  import: importCmd,
  run,
  auth,
  kinds,
  diff,
  apply,
  config,
  doctor: config,
  rules,
  tail,
  stream,
  top,
  events,
  drafts,
  backup,
};

/**
 * Registers the subcommands. When argv names one of them, only that one: building the other fourteen
 * would cost every cold start a few milliseconds for nothing. Anything else (no command, a typo, `help`)
 * gets them all, for the help text and suggestions.
 */
export function registerCommands(program: Command, argv: string[], ctx: CommandContext = processContext): void {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (name !== undefined && Object.hasOwn(commands, name)) commands[name]!(program, ctx, argv);
  else for (const register of new Set(Object.values(commands))) register(program, ctx, argv); // an alias maps to its command
}
