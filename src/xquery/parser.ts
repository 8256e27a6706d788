/**
 * Query grammar, as X documents it ("Build a query", docs.x.com x-api/posts/search/integrate/
 * build-a-query and filtered-stream/integrate/build-a-rule):
 *
 *   query  := or EOF
 *   or     := and ('OR' and)*          AND (a space) binds tighter than OR: `a OR b c` is `a OR (b c)`
 *   and    := unary unary*
 *   unary  := '-'? primary
 *   primary:= '(' or ')' | term
 *
 * then two checks X makes on the whole query: it must not consist only of negations, and not only of
 * the conjunction-required operators (is:, has:, lang:).
 */
import { isConjunctionRequired, type Flavor, type HasValue, type IsValue, type Node, type Query, type Term } from './ast.js';
import { XQuerySyntaxError, XQueryTooLongError, XQueryUnsupportedError } from './errors.js';
import { lex, type Token } from './lexer.js';
import { DEFAULT_MAX_LENGTH, GEO_MAX_MILES } from './limits.js';
import { distanceKm, KM_PER_MILE, normalize, normalizePhrase, tokenize } from './text.js';

export interface ParseOptions {
  /** Longest query accepted, in characters; default 512 (X's self-serve recent search). */
  maxLength?: number;
  /** 'search' (default) folds Latin accents when matching; 'stream' (filtered-stream rules) does not. */
  flavor?: Flavor;
}

export function parseQuery(query: string, opts: ParseOptions = {}): Query {
  const flavor = opts.flavor ?? 'search';
  const max = opts.maxLength ?? DEFAULT_MAX_LENGTH;
  if (query.length > max) throw new XQueryTooLongError(query.length, max);
  const tokens = lex(query);
  if (tokens.length === 0) throw new XQuerySyntaxError('empty query', 1);
  const p = new Parser(tokens, flavor);
  const root = p.or();
  const extra = p.peek();
  if (extra) throw new XQuerySyntaxError(`extraneous input '${extra.type === 'rparen' ? ')' : 'OR'}'`, extra.col);
  check(root);
  return { source: query, flavor, root };
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly flavor: Flavor,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  or(): Node {
    const children = [this.and()];
    while (this.peek()?.type === 'or') {
      this.i++;
      children.push(this.and());
    }
    if (children.length === 1) return children[0]!;
    return { kind: 'or', children, col: children[0]!.col, end: children.at(-1)!.end };
  }

  and(): Node {
    const children: Node[] = [];
    for (let t = this.peek(); t && t.type !== 'or' && t.type !== 'rparen'; t = this.peek()) children.push(this.unary());
    if (children.length === 0) this.fail();
    if (children.length === 1) return children[0]!;
    return { kind: 'and', children, col: children[0]!.col, end: children.at(-1)!.end };
  }

  /** No clause where one is needed: say what stands there instead. */
  private fail(): never {
    const t = this.peek();
    const prev = this.tokens[this.i - 1];
    if (!t) {
      const at = prev ? prev.col : 1;
      throw new XQuerySyntaxError(`no viable alternative at input '${prev?.type === 'or' ? 'OR' : '<EOF>'}'`, at);
    }
    throw new XQuerySyntaxError(`no viable alternative at input '${t.type === 'or' ? 'OR' : ')'}'`, t.col);
  }

  unary(): Node {
    const t = this.peek()!;
    if (t.type !== 'neg') return this.primary();
    this.i++;
    const next = this.peek();
    if (!next || next.type === 'or' || next.type === 'rparen') this.fail();
    const child = this.primary();
    return { kind: 'not', child, col: t.col, end: child.end };
  }

  primary(): Node {
    const t = this.tokens[this.i++]!;
    switch (t.type) {
      case 'lparen': {
        const child = this.or();
        const close = this.peek();
        if (close?.type !== 'rparen') throw new XQuerySyntaxError("missing ')' to close this '('", t.col);
        this.i++;
        return { kind: 'group', child, col: t.col, end: close.end };
      }
      case 'word':
        return wordTerm(t.text, t.col, t.end, this.flavor);
      case 'phrase': {
        const phrase = normalizePhrase(t.text, this.flavor);
        if (!phrase) throw new XQuerySyntaxError('empty phrase', t.col);
        return { kind: 'phrase', raw: `"${t.text}"`, phrase, col: t.col, end: t.end };
      }
      case 'op':
        return opTerm(t, this.flavor);
      default:
        this.i--;
        return this.fail();
    }
  }
}

// Digits-only tags are accepted but match nothing: X never extracts them as hashtags.
const HASHTAG_RE = /^[\p{L}\p{M}\p{N}_]+$/u;
const USERNAME_RE = /^[A-Za-z0-9_]{1,15}$/;
const CASHTAG_RE = /^[A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?$/;
const ID_RE = /^[0-9]{1,19}$/;
const LANG_RE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i;

function wordTerm(text: string, col: number, end: number, flavor: Flavor): Term {
  const sigil = text[0];
  const rest = text.slice(1);
  if (sigil === '#' && text.length > 1) {
    if (!HASHTAG_RE.test(rest)) throw new XQuerySyntaxError(`invalid hashtag '${text}'`, col);
    return { kind: 'hashtag', raw: text, value: normalize(rest, flavor), col, end };
  }
  if (sigil === '@' && text.length > 1) {
    if (!USERNAME_RE.test(rest)) throw new XQuerySyntaxError(`invalid username '${text}'`, col);
    return { kind: 'mention', raw: text, value: rest.toLowerCase(), col, end };
  }
  if (sigil === '$' && CASHTAG_RE.test(rest)) return { kind: 'cashtag', raw: text, value: rest.toLowerCase(), col, end };
  const tokens = tokenize(text, flavor);
  if (tokens.length === 0) throw new XQuerySyntaxError(`no viable alternative at input '${text}'`, col);
  return { kind: 'keyword', raw: text, tokens, col, end };
}

const IS_VALUES: readonly IsValue[] = ['retweet', 'reply', 'quote', 'verified', 'nullcast'];
const HAS_VALUES: Record<string, HasValue> = {
  hashtags: 'hashtags',
  cashtags: 'cashtags',
  links: 'links',
  mentions: 'mentions',
  media: 'media',
  media_link: 'media',
  images: 'images',
  video_link: 'video_link',
  videos: 'video_link',
  geo: 'geo',
};
const ID_OPS: Record<string, 'conversation_id' | 'in_reply_to_tweet_id' | 'retweets_of_tweet_id' | 'quotes_of_tweet_id'> = {
  conversation_id: 'conversation_id',
  in_reply_to_tweet_id: 'in_reply_to_tweet_id',
  in_reply_to_status_id: 'in_reply_to_tweet_id',
  retweets_of_tweet_id: 'retweets_of_tweet_id',
  retweets_of_status_id: 'retweets_of_tweet_id',
  quotes_of_tweet_id: 'quotes_of_tweet_id',
  quotes_of_status_id: 'quotes_of_tweet_id',
};
/** X operators that need data a tweet here does not carry. */
const UNSUPPORTED: Record<string, string> = {
  context: 'posts carry no context annotations here',
  entity: 'posts carry no entity annotations here',
  list: 'there are no lists here',
  place: 'posts carry no places here',
  place_country: 'posts carry no places here',
  sample: 'sampling is not modelled here',
};

type OpToken = Extract<Token, { type: 'op' }>;

function opTerm(t: OpToken, flavor: Flavor): Term {
  const name = t.name.toLowerCase();
  const raw = `${t.name}:${t.bracket ? `[${t.value}]` : t.quoted ? `"${t.value}"` : t.value}`;
  const span = { raw, col: t.col, end: t.end };
  const value = t.value;
  if (t.bracket && name !== 'bounding_box' && name !== 'geo_bounding_box' && name !== 'point_radius') {
    throw new XQuerySyntaxError(`no viable alternative at input '['`, t.valueCol);
  }
  if (value === '' && !t.quoted) throw new XQuerySyntaxError(`missing a value after '${t.name}:'`, t.valueCol);
  switch (name) {
    case 'from':
    case 'to':
    case 'retweets_of': {
      if (ID_RE.test(value)) return { kind: name, user: value, byId: true, ...span };
      if (!USERNAME_RE.test(value)) throw new XQuerySyntaxError(`invalid username or user id '${value}' for ${name}:`, t.valueCol);
      return { kind: name, user: value.toLowerCase(), byId: false, ...span };
    }
    case 'is': {
      const v = value.toLowerCase() as IsValue;
      if (!IS_VALUES.includes(v)) throw new XQuerySyntaxError(`Reference to invalid operator 'is:${value}'`, t.col);
      return { kind: 'is', value: v, ...span };
    }
    case 'has': {
      const v = HAS_VALUES[value.toLowerCase()];
      if (!v) throw new XQuerySyntaxError(`Reference to invalid operator 'has:${value}'`, t.col);
      return { kind: 'has', value: v, ...span };
    }
    case 'lang':
      if (!LANG_RE.test(value)) throw new XQuerySyntaxError(`invalid language '${value}' for lang:`, t.valueCol);
      return { kind: 'lang', value: value.toLowerCase(), ...span };
    case 'url': {
      if (t.quoted) {
        const phrase = normalizePhrase(value, flavor);
        if (!phrase) throw new XQuerySyntaxError('empty phrase', t.valueCol);
        return { kind: 'url', tokens: tokenize(value, flavor), phrase, ...span };
      }
      const tokens = tokenize(value, flavor);
      if (tokens.length === 0) throw new XQuerySyntaxError(`no viable alternative at input '${value}'`, t.valueCol);
      return { kind: 'url', tokens, ...span };
    }
    case 'bounding_box':
    case 'geo_bounding_box':
      return boundingBox(t, span);
    case 'point_radius':
      return pointRadius(t, span);
  }
  const idKind = ID_OPS[name];
  if (idKind) {
    if (!ID_RE.test(value)) throw new XQuerySyntaxError(`invalid post id '${value}' for ${name}:`, t.valueCol);
    return { kind: idKind, id: value, ...span };
  }
  const why = UNSUPPORTED[name];
  if (why) throw new XQueryUnsupportedError(`operator '${name}:' is not supported: ${why}`, t.col);
  throw new XQuerySyntaxError(`Reference to invalid operator '${t.name}'`, t.col);
}

const NUMBER_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const GEO_MAX_KM = GEO_MAX_MILES * KM_PER_MILE;

function coords(t: OpToken, count: number, shape: string): string[] {
  if (!t.bracket) throw new XQuerySyntaxError(`${t.name}: takes ${shape}`, t.valueCol);
  const parts = t.value.trim().split(/\s+/u).filter(Boolean);
  if (parts.length !== count) throw new XQuerySyntaxError(`${t.name}: takes ${shape}`, t.valueCol);
  return parts;
}

function num(t: OpToken, s: string, what: string, limit: number): number {
  if (!NUMBER_RE.test(s)) throw new XQuerySyntaxError(`${t.name}: ${what} '${s}' is not a decimal number`, t.valueCol);
  const v = Number(s);
  if (Math.abs(v) > limit) throw new XQuerySyntaxError(`${t.name}: ${what} ${s} is outside ±${limit}`, t.valueCol);
  return v;
}

function boundingBox(t: OpToken, span: { raw: string; col: number; end: number }): Term {
  const shape = '[west_long south_lat east_long north_lat]';
  const [w, s, e, n] = coords(t, 4, shape);
  const west = num(t, w!, 'longitude', 180);
  const south = num(t, s!, 'latitude', 90);
  const east = num(t, e!, 'longitude', 180);
  const north = num(t, n!, 'latitude', 90);
  if (west >= east || south >= north) throw new XQuerySyntaxError(`${t.name}: takes ${shape}, west of east and south of north`, t.valueCol);
  // The widest side is the one nearer the equator.
  const widestLat = south <= 0 && north >= 0 ? 0 : Math.min(Math.abs(south), Math.abs(north));
  const width = distanceKm(west, widestLat, east, widestLat);
  const height = distanceKm(west, south, west, north);
  if (width >= GEO_MAX_KM || height >= GEO_MAX_KM) {
    throw new XQuerySyntaxError(`${t.name}: width and height must be less than ${GEO_MAX_MILES}mi`, t.valueCol);
  }
  return { kind: 'bounding_box', west, south, east, north, ...span };
}

function pointRadius(t: OpToken, span: { raw: string; col: number; end: number }): Term {
  const [lo, la, r] = coords(t, 3, '[longitude latitude radius] with the radius in km or mi');
  const lon = num(t, lo!, 'longitude', 180);
  const lat = num(t, la!, 'latitude', 90);
  const m = /^(\d+(?:\.\d*)?|\.\d+)(km|mi)$/.exec(r!);
  if (!m) throw new XQuerySyntaxError(`${t.name}: radius '${r}' needs a unit, km or mi`, t.valueCol);
  const radiusKm = Number(m[1]) * (m[2] === 'mi' ? KM_PER_MILE : 1);
  if (radiusKm <= 0 || radiusKm >= GEO_MAX_KM) throw new XQuerySyntaxError(`${t.name}: radius must be more than 0 and less than ${GEO_MAX_MILES}mi`, t.valueCol);
  return { kind: 'point_radius', lon, lat, radiusKm, ...span };
}

// ---- whole-query checks -------------------------------------------------------------------------

function check(root: Node): void {
  forEachTerm(root, false, (term, negated) => {
    if (term.kind === 'is' && term.value === 'nullcast' && !negated) {
      throw new XQuerySyntaxError('is:nullcast must be negated (-is:nullcast)', term.col);
    }
  });
  if (anchored(root)) return;
  const culprit = loose(root);
  if (culprit.kind === 'not') throw new XQuerySyntaxError('Rules must contain a non-negation term', culprit.col);
  throw new XQuerySyntaxError('is/has/lang cannot be used as a standalone operator', culprit.col);
}

/** Whether every post the node matches must hold a positive standalone clause. */
function anchored(n: Node): boolean {
  switch (n.kind) {
    case 'not':
      return false;
    case 'group':
      return anchored(n.child);
    case 'and':
      return n.children.some(anchored);
    case 'or':
      return n.children.every(anchored);
    default:
      return !isConjunctionRequired(n);
  }
}

/** The clause that leaves an unanchored node without a standalone term. */
function loose(n: Node): Node {
  switch (n.kind) {
    case 'group':
      return loose(n.child);
    case 'and':
      return loose(n.children.find((c) => c.kind !== 'not' && !anchored(c)) ?? n.children[0]!);
    case 'or':
      return loose(n.children.find((c) => !anchored(c))!);
    default:
      return n;
  }
}

export function forEachTerm(n: Node, negated: boolean, fn: (t: Term, negated: boolean) => void): void {
  switch (n.kind) {
    case 'not':
      return forEachTerm(n.child, !negated, fn);
    case 'group':
      return forEachTerm(n.child, negated, fn);
    case 'and':
    case 'or':
      for (const c of n.children) forEachTerm(c, negated, fn);
      return;
    default:
      fn(n, negated);
  }
}
