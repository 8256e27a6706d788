/** The X API access tiers the sandbox models (their rate limits are in limits.ts). Imports nothing, so
 * the CLI can check `--tier` before it loads the sandbox. */
export const TIERS = ['free', 'basic', 'pro'] as const;
export type Tier = (typeof TIERS)[number];
