import type { RedisClient } from '../store/client.js';
import type { Keys } from '../store/keys.js';
import { script } from '../store/scripts.js';
import { TurnBatch } from '../store/turn-batch.js';

/**
 * The farm's events: one capped Redis stream for the whole farm (what the seed system's notifications
 * module sent): a bot failed or recovered, was rate-limited until a time, lost its tokens, retweeted or
 * posted, or its source's backlog grew past a threshold, or a scheduler's queue of drafts ran empty. Generic tick code emits the generic ones
 * (failure, recovery, rate limits, revoked tokens, backlog), the publishing core what was created on X.
 * `tfctl events` reads the stream; the webhook (./webhook.ts) delivers it through a consumer group.
 */
export const EVENT_TYPES = ['failed', 'recovered', 'rate_limited', 'token_revoked', 'posted', 'retweeted', 'quoted', 'backlog', 'queue_empty'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The stream keeps about this many events (MAXLEN ~): weeks of a busy farm, a few MB. */
export const EVENTS_CAP = 10_000;

export interface NewEvent {
  type: EventType;
  bot: string;
  /** epoch ms, the farm's clock */
  at: number;
  /** one line for people */
  detail: string;
  /** facts for programs (snake_case keys; times as ISO strings) */
  data?: Record<string, unknown>;
}

export interface FarmEvent extends NewEvent {
  /** the stream entry's id: ordered, unique, what a receiver can deduplicate on */
  id: string;
}

function fields(e: NewEvent): string[] {
  const out = ['type', e.type, 'bot', e.bot, 'at', String(e.at), 'detail', e.detail];
  if (e.data && Object.keys(e.data).length) out.push('data', JSON.stringify(e.data));
  return out;
}

export function parseEntry(id: string, flat: string[]): FarmEvent {
  const r: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) r[flat[i]!] = flat[i + 1]!;
  let data: Record<string, unknown> | undefined;
  try {
    data = r.data ? (JSON.parse(r.data) as Record<string, unknown>) : undefined;
  } catch {
    data = undefined;
  }
  return { id, type: r.type as EventType, bot: r.bot ?? '', at: Number(r.at ?? 0), detail: r.detail ?? '', ...(data ? { data } : {}) };
}

/** An event as JSON shows it (`events --json`, the webhook's body): its facts flat, the time as ISO 8601. */
export function eventView(e: FarmEvent): Record<string, unknown> {
  return { id: e.id, type: e.type, bot: e.bot, at: new Date(e.at).toISOString(), detail: e.detail, ...e.data };
}

/** One line of `tfctl events`. */
export function formatEvent(e: FarmEvent): string {
  return `${new Date(e.at).toISOString()}  ${e.type.padEnd(13)}  ${e.bot}  ${e.detail}`;
}

export class Events {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly cap = EVENTS_CAP,
  ) {}

  /**
   * Appends an event; returns its id. The emits made in one turn (a big tick's posts) leave together, in
   * order, as one command (scripts/emit-events.lua), not one XADD each.
   */
  emit(e: NewEvent): Promise<string> {
    return this.emits.add('', fields(e));
  }

  private readonly emits = new TurnBatch<string[], string>(async (_, batch) => {
    if (batch.length === 1) return [(await this.redis.xadd(this.keys.events(), 'MAXLEN', '~', this.cap, '*', ...batch[0]!))!];
    return (await script(this.redis, 'emit-events')([this.keys.events()], [this.cap, ...batch.flatMap((f) => [f.length, ...f])])) as string[];
  });

  /** Sets a state (`failed:<bot>`) and emits the event only if it was not set already; the id or null. */
  async enter(flag: string, e: NewEvent): Promise<string | null> {
    return this.transition('enter', flag, e, true);
  }

  /** Clears a state and emits the event only if it was set (a `recovered` needs a failure before it). */
  async leave(flag: string, e: NewEvent | null): Promise<string | null> {
    return this.transition('leave', flag, e, e !== null);
  }

  private async transition(mode: 'enter' | 'leave', flag: string, e: NewEvent | null, emit: boolean): Promise<string | null> {
    const ev = e ?? { type: 'recovered', bot: '', at: 0, detail: '' };
    // Events emitted before this one go first, as they were made.
    this.emits.flush();
    const id = await script(this.redis, 'event-transition')([this.keys.eventState(), this.keys.events()], [mode, flag, String(ev.at), this.cap, emit ? 'emit' : 'quiet', ...fields(ev)]);
    return typeof id === 'string' ? id : null;
  }

  /**
   * Events oldest first: the newest `count`, or those at or after `since` (epoch ms, the farm's clock),
   * of one bot or all. Read newest first and stopped at `since`, so a short window costs a short read.
   */
  async recent(opts: { bot?: string; since?: number; count?: number } = {}): Promise<FarmEvent[]> {
    const want = opts.count ?? (opts.since !== undefined ? Infinity : 20);
    const out: FarmEvent[] = [];
    let end = '+';
    for (;;) {
      const page = await this.redis.xrevrange(this.keys.events(), end, '-', 'COUNT', 500);
      for (const [id, flat] of page) {
        const e = parseEntry(id, flat);
        if (opts.since !== undefined && e.at < opts.since) return out.reverse();
        if (opts.bot && e.bot !== opts.bot) continue;
        out.push(e);
        if (out.length >= want) return out.reverse();
      }
      if (page.length < 500) return out.reverse();
      end = `(${page[page.length - 1]![0]}`;
    }
  }

  /** The id of the newest event ('0-0' when there is none): where a follower starts. */
  async lastId(): Promise<string> {
    const [top] = await this.redis.xrevrange(this.keys.events(), '+', '-', 'COUNT', 1);
    return top ? top[0] : '0-0';
  }
}
