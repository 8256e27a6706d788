import { UsageError } from '../errors.js';

export * from '../store/bot-record.js';

const NAME_RE = /^@?[A-Za-z0-9_]{1,32}$/;

/** Normalises a bot name (a leading @ is ignored) or throws a usage error. */
export function botName(input: string): string {
  if (!NAME_RE.test(input)) {
    throw new UsageError(`invalid bot name "${input}": use 1-32 letters, digits or _ (a leading @ is allowed)`);
  }
  return input.startsWith('@') ? input.slice(1) : input;
}

/** The shape shown to operators: secrets become "set" or "missing", never their value. */
export function redact<T extends { token?: string; secret?: string }>(bot: T): Omit<T, 'token' | 'secret'> & { token: string; secret: string } {
  const { token, secret, ...rest } = bot;
  return { ...rest, token: token ? 'set' : 'missing', secret: secret ? 'set' : 'missing' };
}
