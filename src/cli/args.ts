import { UsageError } from '../errors.js';
import { TIERS, type Tier } from '../sandbox/tiers.js';

/** Parsers of command-line arguments that are not bot settings (those belong to their kind's schema). */

export function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65_535) throw new UsageError(`invalid --port: ${raw} (0–65535)`);
  return Number(raw);
}

export function parseTier(raw: string): Tier {
  if (!(TIERS as readonly string[]).includes(raw)) throw new UsageError(`invalid --tier: ${raw} (free, basic or pro)`);
  return raw as Tier;
}
