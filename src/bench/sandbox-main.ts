/**
 * `node dist/bench/sandbox-main.js [seconds] [lean|twitter-api-v2]`: one JSON line with the rate at
 * which the sandbox serves signed POST /2/tweets (see sandbox.ts for how it is measured).
 */
import { benchSandbox } from './sandbox.js';

const seconds = Number(process.argv[2] ?? 3);
const client = process.argv[3] === 'twitter-api-v2' ? 'twitter-api-v2' : 'lean';
benchSandbox({ seconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 3, client }).then(
  (r) => process.stdout.write(JSON.stringify({ ...r, client }) + '\n'),
  (err) => {
    process.stderr.write(`bench: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
