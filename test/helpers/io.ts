import type { Io } from '../../src/cli/context.js';

/** An Io that keeps what a command writes, for running commands in-process. */
export function bufferIo(opts: { isTTY?: boolean; columns?: number } = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    ...opts,
  };
  return io;
}
