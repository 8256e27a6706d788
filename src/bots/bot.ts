import { UsageError } from '../errors.js';
import { ROLES, type Role } from '../store/bot-record.js';

export * from '../store/bot-record.js';

export const LIMITS = { perTick: [1, 50], grab: [1, 100] } as const;

const NAME_RE = /^@?[A-Za-z0-9_]{1,32}$/;

/** Normalises a bot name (a leading @ is ignored) or throws a usage error. */
export function botName(input: string): string {
  if (!NAME_RE.test(input)) {
    throw new UsageError(`invalid bot name "${input}": use 1-32 letters, digits or _ (a leading @ is allowed)`);
  }
  return input.startsWith('@') ? input.slice(1) : input;
}

export function parseRole(input: string): Role {
  if ((ROLES as readonly string[]).includes(input)) return input as Role;
  throw new UsageError(`unknown role "${input}": use one of ${ROLES.join(', ')}`);
}

/** The shape shown to operators: secrets become "set" or "missing", never their value. */
export function redact<T extends { token?: string; secret?: string }>(bot: T): Omit<T, 'token' | 'secret'> & { token: string; secret: string } {
  const { token, secret, ...rest } = bot;
  return { ...rest, token: token ? 'set' : 'missing', secret: secret ? 'set' : 'missing' };
}
