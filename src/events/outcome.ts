import type { Events } from './index.js';

/** What generic tick code knows of a bot's tick (its Outcome, structurally: events import nothing of bots). */
export interface TickResult {
  status: string;
  detail: string;
  error?: string;
  failing?: boolean;
  pause?: { endpoint: string; until: number };
}

/**
 * The generic events of one bot's tick: `failed` when it starts failing (once, however many ticks fail),
 * `recovered` at its first good tick after that, `token_revoked` when X refused its tokens, and
 * `rate_limited` with the time it may call that endpoint again. `unflagged`: the caller knows the bot is
 * not flagged failing (a good tick then has nothing to leave: most ticks of a farm).
 */
export async function tickEvents(events: Events, bot: string, o: TickResult, at: number, opts: { unflagged?: boolean } = {}): Promise<void> {
  const flag = failedFlag(bot);
  const why = o.error ?? o.detail;
  if (o.status === 'failed') {
    await events.enter(flag, { type: 'failed', bot, at, detail: why });
    if (o.failing) await events.emit({ type: 'token_revoked', bot, at, detail: why });
  } else if ((o.status === 'ok' || o.status === 'idle') && !opts.unflagged) {
    await events.leave(flag, { type: 'recovered', bot, at, detail: o.detail });
  }
  if (o.pause) {
    const until = new Date(o.pause.until).toISOString();
    await events.emit({ type: 'rate_limited', bot, at, detail: `rate-limited on ${o.pause.endpoint} until ${until}`, data: { endpoint: o.pause.endpoint, until } });
  }
}

/**
 * `backlog` when a consumer's unprocessed tweets pass `threshold` (once, until it falls back to half of
 * it: no event per tick while it stays high, none for a backlog hovering at the line).
 */
export async function backlogEvent(events: Events, bot: string, source: string, backlog: number, threshold: number, at: number): Promise<void> {
  const flag = backlogFlag(bot);
  if (backlog > threshold) {
    await events.enter(flag, { type: 'backlog', bot, at, detail: `${backlog} unprocessed tweets of ${source} (alert above ${threshold})`, data: { source, backlog, threshold } });
  } else if (backlog <= threshold / 2) await events.leave(flag, null);
}

/** The state (a field of the events' state hash) that says a bot is failing. */
export const failedFlag = (bot: string): string => `failed:${bot}`;

/** The state (a field of the events' state hash) that says a consumer is over its backlog alert. */
export const backlogFlag = (bot: string): string => `backlog:${bot}`;

/**
 * Whether backlogEvent would change anything, given whether the flag is set now: only then need it run
 * (a farm's consumers are mostly neither crossing the line nor coming back under half of it).
 */
export function backlogChanges(flagged: boolean, backlog: number, threshold: number): boolean {
  return backlog > threshold ? !flagged : backlog <= threshold / 2 && flagged;
}
