import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { exitCodeOf, UsageError } from '../errors.js';
import { addSecretsFromEnv, guardStderr, redact } from '../redact.js';
import { registerCommands } from './commands/index.js';
import type { CommandContext } from './context.js';

/**
 * The program for these arguments (argv as process.argv: node, script, then the user's words). main()
 * runs it with the one error handler every command shares: one line on stderr, exit 2 for usage errors
 * and 1 for operational failures, and a stack trace only with --verbose or TFCTL_DEBUG=1.
 */
export async function buildProgram(argv: string[], ctx?: CommandContext): Promise<Command> {
  const program = new Command('tfctl')
    .description('Run a farm of X bots from cron: one shared reader, many writers')
    .version(packageVersion())
    .option('--verbose', 'print stack traces on errors')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  await registerCommands(program, argv, ctx);
  // Subcommands inherit the same behaviour on bad arguments.
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** The version of the installed package (dist/cli/main.js and src/cli/main.ts both sit two levels down). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<void> {
  // Secrets never reach the terminal: error lines are redacted below, DEBUG output (ioredis logs every
  // command with its arguments) on its way to stderr.
  addSecretsFromEnv();
  if (process.env.DEBUG) guardStderr();
  // `tfctl list | head` closes the pipe early: that is the reader's choice, not an error to report.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = handleError(err, argv.includes('--verbose'));
  }
}

/**
 * main() for the `tfctl` executable: exits as soon as the command's output is out. Whatever a library
 * left behind (a client's timers, keep-alive sockets) must not hold a finished `tfctl list` open; every
 * command, `run` and `sandbox` included, resolves only when it is done.
 */
export async function cli(argv: string[]): Promise<never> {
  await main(argv);
  // Writes complete in order, so the callback of an empty write says the ones before it are out (on
  // Linux, writes to files, pipes and terminals already are).
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit();
}

/**
 * The exit code for what commander threw (it has already printed its message). --help, `help [cmd]` and
 * --version exit cleanly; help shown because no command was given is a usage error like any other
 * (commander gives that one the same code as `help`, but exit code 1 where `help` has 0).
 */
export function commanderExitCode(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
  if (err.code === 'commander.help' && err.exitCode === 0) return 0;
  return 2;
}

function handleError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) return commanderExitCode(err);
  const debug = verbose || process.env.TFCTL_DEBUG === '1';
  const message = redact(err instanceof Error ? err.message : String(err));
  process.stderr.write(`tfctl: ${message}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${redact(err.stack)}\n`);
  return exitCodeOf(err);
}

export { UsageError };
