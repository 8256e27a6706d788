/**
 * Splits a query into tokens, each with its 1-based column. Refuses, with X's wording where X's is
 * known, the characters X's grammar has no place for: a single quote, brackets outside geo operators,
 * an upper-case AND (X joins with a space and reads AND as ambiguous), an unclosed phrase.
 */
import { XQuerySyntaxError } from './errors.js';

export type Token =
  | { type: 'lparen' | 'rparen' | 'or' | 'neg'; col: number; end: number }
  | { type: 'phrase'; text: string; col: number; end: number }
  | { type: 'word'; text: string; col: number; end: number }
  | { type: 'op'; name: string; value: string; quoted: boolean; bracket: boolean; col: number; valueCol: number; end: number };

const SPACE_RE = /\s/u;
const STOP = new Set(['(', ')', '"']);
const OP_NAME_RE = /^[A-Za-z_]+$/;

export function lex(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = query.length;
  const isSpace = (k: number) => SPACE_RE.test(query[k]!);
  /** Index just past a closing quote that pairs with the quote at `open`. */
  const readQuoted = (open: number): { text: string; next: number } => {
    const close = query.indexOf('"', open + 1);
    if (close < 0) throw new XQuerySyntaxError(`missing closing '"' for the phrase that starts here`, open + 1);
    return { text: query.slice(open + 1, close), next: close + 1 };
  };

  while (i < n) {
    const c = query[i]!;
    if (isSpace(i)) {
      i++;
      continue;
    }
    const col = i + 1;
    if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', col, end: col + 1 });
      i++;
      continue;
    }
    if (c === '"') {
      const { text, next } = readQuoted(i);
      tokens.push({ type: 'phrase', text, col, end: next + 1 });
      i = next;
      continue;
    }
    if (c === '-') {
      const nx = query[i + 1];
      if (nx === undefined || SPACE_RE.test(nx) || nx === ')' || nx === '-') {
        throw new XQuerySyntaxError(`no viable alternative at input '-${nx === '-' ? '-' : ''}'`, col);
      }
      tokens.push({ type: 'neg', col, end: col + 1 });
      i++;
      continue;
    }
    // A bare run: a keyword, an entity, OR, or name:value.
    let j = i;
    while (j < n && !isSpace(j) && !STOP.has(query[j]!) && query[j] !== ':') j++;
    const head = query.slice(i, j);
    if (query[j] === ':' && OP_NAME_RE.test(head)) {
      const valueAt = j + 1;
      let value: string;
      let quoted = false;
      let bracket = false;
      let next: number;
      if (query[valueAt] === '"') {
        ({ text: value, next } = readQuoted(valueAt));
        quoted = true;
      } else if (query[valueAt] === '[') {
        const close = query.indexOf(']', valueAt);
        if (close < 0) throw new XQuerySyntaxError(`missing ']' to close the '[' of ${head}:`, valueAt + 1);
        value = query.slice(valueAt + 1, close);
        bracket = true;
        next = close + 1;
      } else {
        next = valueAt;
        while (next < n && !isSpace(next) && !STOP.has(query[next]!)) next++;
        value = query.slice(valueAt, next);
      }
      tokens.push({ type: 'op', name: head, value, quoted, bracket, col, valueCol: valueAt + 1, end: next + 1 });
      i = next;
      continue;
    }
    while (j < n && !isSpace(j) && !STOP.has(query[j]!)) j++;
    const text = query.slice(i, j);
    for (let k = 0; k < text.length; k++) {
      const ch = text[k]!;
      if (ch === "'") throw new XQuerySyntaxError(`no viable alternative at character '''`, col + k);
      if ('[]{}'.includes(ch)) throw new XQuerySyntaxError(`no viable alternative at input '${ch}'`, col + k);
    }
    if (text === 'OR') tokens.push({ type: 'or', col, end: col + 2 });
    else if (text === 'AND') {
      throw new XQuerySyntaxError(
        'Ambiguous use of and as a keyword. Use a space to logically join two clauses, or "and" to find occurrences of and in text',
        col,
      );
    } else tokens.push({ type: 'word', text, col, end: col + text.length });
    i = j;
  }
  return tokens;
}
