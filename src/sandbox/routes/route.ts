/** What a route module declares: method, path template, the credentials it takes, its query parameters. */
import type { AuthKind } from '../auth.js';
import type { Ctx } from '../core.js';
import type { Reply } from '../http.js';

export interface RouteDef {
  method: string;
  /** `/2/tweets/:id`; "METHOD template" is the key for counters, faults and rate limits */
  template: string;
  auth: AuthKind;
  /** the query parameters X accepts (anything else is a 400); undefined: not checked (the OAuth pages) */
  query?: readonly string[];
  /** a Reply, or undefined when the handler has answered on ctx.res itself (the stream) */
  handler: (ctx: Ctx) => Reply | undefined;
}
