import type { Log } from '../log.js';
import type { BotReport } from '../bots/types.js';
import type { XCall } from '../x/calls.js';
import type { TickReport } from './tick.js';

/**
 * What a tick logs: one line per bot that did something or failed (what, how long, its X calls and
 * the last one's status), bots that did nothing at debug, and a summary. Reports carry no secrets;
 * the logger's redaction is the second guard.
 */
export function logBot(log: Log, r: BotReport, ms: number, calls: XCall[]): void {
  const level = r.status === 'failed' ? 'error' : r.status === 'rate_limited' ? 'warn' : r.status === 'ok' ? 'info' : 'debug';
  if (!log.isLevelEnabled(level)) return;
  const line: Record<string, unknown> = { bot: r.name, role: r.role, status: r.status, detail: r.detail, ms };
  if (r.fetched !== undefined) line.fetched = r.fetched;
  if (r.posts?.length) {
    line.posted = r.posts.length;
    line.post_ids = r.posts.map((p) => p.id);
  }
  if (r.drafts?.length) line.drafts = r.drafts.length;
  if (r.error) line.error = r.error;
  if (calls.length) {
    line.x_calls = calls;
    line.x_status = calls.at(-1)!.status;
  }
  log[level](line, `${r.name}: ${r.status}`);
}

export function logSummary(log: Log, report: TickReport): void {
  log.info({ ...report.summary, ms: report.duration_ms, dry_run: report.dry_run }, 'tick done');
}
