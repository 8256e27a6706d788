import type { Command } from 'commander';
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

/**
 * Every subcommand lives in its own file and exports `register(program)`. Keep the static imports of
 * src/cli light: heavy modules (az, twitter-api-v2, twitter-text, influx, tar, node-cron, the sandbox)
 * are loaded with dynamic import() inside the action that needs them, so `tfctl list` starts fast.
 */
type Register = (program: Command) => void;

const commands: Register[] = [
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
  exportCmd,
  importCmd,
  run,
  auth,
];

export function registerAll(program: Command): void {
  for (const register of commands) register(program);
}
