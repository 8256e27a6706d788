/**
 * X's query language — search queries, counts queries and filtered-stream rules — as one parser and
 * matcher. Pure: imports nothing of the farm or the sandbox, touches no Redis, so the sandbox can
 * answer search and stream with it and bots can evaluate rules locally with the same semantics.
 */
export type { Flavor, Node, Query, Term } from './ast.js';
export { XQuerySyntaxError, XQueryTooLongError, XQueryUnsupportedError } from './errors.js';
export { explain, formatQuery } from './explain.js';
export { DEFAULT_MAX_LENGTH, FULL_ARCHIVE_QUERY_MAX_LENGTH, QUERY_MAX_LENGTH, RULE_MAX_LENGTH, type XTier } from './limits.js';
export { matches, matchingRules, type MatchableTweet } from './matcher.js';
export { parseQuery, type ParseOptions } from './parser.js';
export { tokenize } from './text.js';
