import twitterText from 'twitter-text';
import { UsageError } from '../errors.js';
import type { Template } from './template.js';

/**
 * Tweet length exactly as X counts it: twitter-text's weighted length with its own default (v3)
 * config, unchanged — U+0000–U+10FF weigh 1, Cyrillic included; emoji and CJK 2; a URL 23.
 */
export const MAX_WEIGHTED_LENGTH = 280;

export function weightedLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

/** Non-empty and within 280 weighted characters. */
export function fitsTweet(text: string): boolean {
  const parsed = twitterText.parseTweet(text);
  return parsed.valid && parsed.weightedLength <= MAX_WEIGHTED_LENGTH;
}

/**
 * The least a template can weigh: its fixed text with every slot one Cyrillic letter long. Real forms
 * are longer (two letters at least in practice, "ос"), so this is a bound no composed text goes under.
 */
export function shortestLength(t: Template): number {
  return weightedLength(t.parts.map((p) => (p.kind === 'text' ? p.text : 'я')).join(''));
}

/** Refuses a template no noun can make fit, so it never reaches a tick that would skip every tweet. */
export function checkFits(t: Template): void {
  const fixed = weightedLength(t.parts.map((p) => (p.kind === 'text' ? p.text : '')).join(''));
  if (fixed > MAX_WEIGHTED_LENGTH) throw new UsageError(`template is too long: its fixed text alone weighs ${fixed}; X allows ${MAX_WEIGHTED_LENGTH}`);
  const least = shortestLength(t);
  if (least > MAX_WEIGHTED_LENGTH) {
    throw new UsageError(`template is too long: ${least} weighted characters with the shortest noun; X allows ${MAX_WEIGHTED_LENGTH}`);
  }
}
