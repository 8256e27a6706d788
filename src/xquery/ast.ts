/**
 * The parsed form of a query. Every node keeps the 1-based column span of its source text
 * (`col` .. `end`, end exclusive), which error messages and explain() quote back.
 */

export type Flavor = 'search' | 'stream';

interface Span {
  col: number;
  end: number;
}

/** A bare keyword: tokens matched in order against the tweet's tokens (`coca-cola` is coca, cola). */
export interface KeywordTerm extends Span {
  kind: 'keyword';
  raw: string;
  tokens: string[];
}

/** A "quoted phrase": matched as written, on word boundaries, case-insensitively. */
export interface PhraseTerm extends Span {
  kind: 'phrase';
  raw: string;
  phrase: string;
}

/** `#tag`, `@user`, `$cash`: exact, case-insensitive matches on the tweet's entities. */
export interface EntityTerm extends Span {
  kind: 'hashtag' | 'mention' | 'cashtag';
  raw: string;
  value: string;
}

export type IsValue = 'retweet' | 'reply' | 'quote' | 'verified' | 'nullcast';
export type HasValue = 'hashtags' | 'cashtags' | 'links' | 'mentions' | 'media' | 'images' | 'video_link' | 'geo';

/** `name:value` operators. */
export type OperatorTerm = Span & { raw: string } & (
    | { kind: 'from' | 'to' | 'retweets_of'; user: string; byId: boolean }
    | { kind: 'is'; value: IsValue }
    | { kind: 'has'; value: HasValue }
    | { kind: 'lang'; value: string }
    | { kind: 'conversation_id' | 'in_reply_to_tweet_id' | 'retweets_of_tweet_id' | 'quotes_of_tweet_id'; id: string }
    | { kind: 'url'; tokens: string[]; phrase?: string }
    | { kind: 'bounding_box'; west: number; south: number; east: number; north: number }
    | { kind: 'point_radius'; lon: number; lat: number; radiusKm: number }
  );

export type Term = KeywordTerm | PhraseTerm | EntityTerm | OperatorTerm;

export interface Not extends Span {
  kind: 'not';
  child: Node;
}
export interface And extends Span {
  kind: 'and';
  children: Node[];
}
export interface Or extends Span {
  kind: 'or';
  children: Node[];
}
/** A parenthesised group, kept so formatQuery() and explain() can show what the user wrote. */
export interface Group extends Span {
  kind: 'group';
  child: Node;
}

export type Node = Term | Not | And | Or | Group;

export interface Query {
  /** The query exactly as given. */
  source: string;
  /** Search folds Latin diacritics (Diacrítica finds Diacritica); filtered-stream rules do not. */
  flavor: Flavor;
  root: Node;
}

/**
 * X's "conjunction-required" operators: a query made only of these (and negations) is refused,
 * since it would match a huge share of all posts.
 */
export function isConjunctionRequired(t: Term): boolean {
  return t.kind === 'is' || t.kind === 'has' || t.kind === 'lang';
}
