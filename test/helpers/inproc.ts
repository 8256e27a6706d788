import { CommanderError } from 'commander';
import { buildProgram, commanderExitCode } from '../../src/cli/main.js';
import type { Config } from '../../src/config.js';
import { exitCodeOf } from '../../src/errors.js';
import type { RunResult } from './cli.js';
import { bufferIo } from './io.js';

/**
 * Runs `tfctl ARGS` in this process: the real program (commander, the command's options and run()),
 * with output to buffers and the given config instead of the environment. Exit codes as the CLI gives
 * them: 2 for usage errors (commander's included), 1 for operational failures.
 */
export async function runCli(args: string[], config: Config): Promise<RunResult> {
  const io = bufferIo();
  const argv = ['node', 'tfctl', ...args];
  const program = await buildProgram(argv, { io, config: () => config });
  for (const cmd of [program, ...program.commands]) cmd.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  // A command that sets process.exitCode (tick, when a bot failed) must not leave it set on the test run.
  const before = process.exitCode;
  process.exitCode = undefined;
  let code = 0;
  try {
    await program.parseAsync(argv);
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) code = commanderExitCode(err);
    else {
      io.err(`tfctl: ${err instanceof Error ? err.message : String(err)}\n`);
      code = exitCodeOf(err);
    }
  } finally {
    process.exitCode = before;
  }
  return { code, stdout: io.stdout, stderr: io.stderr };
}
