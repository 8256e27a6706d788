// A tick that stops at one of the tick's hook points (TickEnv.hook) until told to go on, so a test can
// break something at an exact moment (kill a Redis node between a write and the next): run as a child
// process with the farm's environment, `node pause-tick.mjs <point> <bot>…`. At the first pass through
// <point> it prints `paused <point> <bot>` and waits for a line on stdin; the tick's report is the last
// line it prints. It uses the built farm (dist/), like the CLI tests use the built bin/tfctl.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../dist/config.js';
import { Farm } from '../../dist/farm/farm.js';
import { runTick } from '../../dist/farm/tick.js';

const [point, ...names] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
let paused = false;
const farm = await Farm.open(loadConfig());
const report = await runTick(farm, {
  names,
  force: true,
  hook: async (at, bot) => {
    if (at !== point || paused) return;
    paused = true;
    process.stdout.write(`paused ${at} ${bot.name}\n`);
    await lines.next();
  },
});
await farm.close().catch(() => {});
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
