import { loadConfig, type Config } from '../config.js';
import { Farm } from '../farm/farm.js';

/**
 * What a command's run() writes to and reads its settings from. The program gives it the process's
 * streams and environment; tests give it buffers and a config of their own, and run commands in-process.
 */
export interface Io {
  /** Writes to stdout (bytes only for binary output: `export -`); false when buffered (wait for drain() before writing more). */
  out(text: string | Uint8Array): boolean | void;
  err(text: string): void;
  /** Resolves when buffered output has been written. */
  drain?(): Promise<void>;
  /** stdout is a terminal (tables may draw charts; prompts may ask). */
  isTTY?: boolean;
  /** Terminal width, when stdout is one. */
  columns?: number;
  /** Asks the operator (stderr prompt, one line from a terminal on stdin); absent when stdin is not a terminal. */
  ask?: (question: string) => Promise<string>;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  drain: () => new Promise<void>((resolve) => process.stdout.once('drain', () => resolve())),
  get isTTY() {
    return process.stdout.isTTY === true;
  },
  get columns() {
    return process.stdout.columns;
  },
  get ask() {
    if (!process.stdin.isTTY) return undefined;
    return async (question: string) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    };
  },
};

/** How commands are wired: where they write and which configuration they use. */
export interface CommandContext {
  io: Io;
  config(): Config;
}

export const processContext: CommandContext = { io: processIo, config: () => loadConfig() };

/** Opens the farm for one command and always closes it, so the process can exit by itself. */
export async function withFarm<T>(config: Config, fn: (farm: Farm) => Promise<T>): Promise<T> {
  const farm = await Farm.open(config);
  try {
    return await fn(farm);
  } finally {
    await farm.close();
  }
}
