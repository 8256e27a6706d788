// A tick that dies at one of the tick's hook points (TickEnv.hook), as a crash would: run as a child
// process with the farm's environment, `node crash-tick.mjs <point> <bot>…`. It uses the built farm
// (dist/), like the CLI tests use the built bin/tfctl.
import { loadConfig } from '../../dist/config.js';
import { Farm } from '../../dist/farm/farm.js';
import { runTick } from '../../dist/farm/tick.js';

const [point, ...names] = process.argv.slice(2);
const farm = await Farm.open(loadConfig());
await runTick(farm, {
  names,
  force: true,
  hook: (at) => {
    if (at === point) process.kill(process.pid, 'SIGKILL');
  },
});
await farm.close();
console.error(`crash-tick: the tick never reached "${point}"`);
process.exit(3);
