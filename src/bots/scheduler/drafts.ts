import { textHash } from '../../store/posts.js';
import { MAX_WEIGHTED_LENGTH, weightedLength } from '../../text/weight.js';

/**
 * Drafts as typed in a text file: one per line, or — when the file has a line `---` — blocks between
 * such lines, for drafts of several lines. Trailing whitespace is trimmed from every line (the seed kept
 * a newline at the end of each draft); a line that is `#` alone or starts with `# ` is a comment, so a
 * draft may still start with a hashtag.
 */
export interface DraftLine {
  text: string;
  /** 1-based line of the draft's first line. */
  line: number;
}

const isComment = (l: string) => /^\s*#(\s|$)/.test(l);

/** One draft given whole (a farm file's inline draft): trimmed as a block of a draft file is. */
export function tidyDraft(text: string): string {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.replace(/\s+$/u, ''));
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.join('\n');
}

export function splitDrafts(content: string): DraftLine[] {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.replace(/\s+$/u, ''));
  if (!lines.some((l) => l === '---')) {
    return lines.flatMap((text, i) => (text.trim() === '' || isComment(text) ? [] : [{ text, line: i + 1 }]));
  }
  const out: DraftLine[] = [];
  // Each block: its lines with their numbers, and whether a --- line closes it.
  let block: Array<{ text: string; n: number }> = [];
  const flush = (closed: boolean, opened: boolean) => {
    const body = block.filter((l) => !isComment(l.text));
    while (body.length && body[0]!.text.trim() === '') body.shift();
    while (body.length && body[body.length - 1]!.text.trim() === '') body.pop();
    // An empty block at either end (a file that starts or ends with ---) is no draft; one between two is a mistake.
    if (body.length) out.push({ text: body.map((l) => l.text).join('\n'), line: body[0]!.n });
    else if (closed && opened) out.push({ text: '', line: block[0]?.n ?? sep + 1 });
  };
  let opened = false;
  let sep = 0;
  lines.forEach((text, i) => {
    if (text === '---') {
      flush(true, opened);
      block = [];
      opened = true;
      sep = i + 1;
    } else block.push({ text, n: i + 1 });
  });
  flush(false, opened);
  return out;
}

export interface Refusal {
  /** file:line */
  at: string;
  reason: string;
}

export interface Checked {
  ok: Array<{ text: string; hash: string; from: string }>;
  refused: Refusal[];
}

/**
 * Checks drafts before import: not empty, within 280 weighted characters (as X counts them), not a
 * duplicate of a draft the bot has (queued or posted) or of one earlier in the same import.
 */
export function checkDrafts(sources: Array<{ file: string; drafts: DraftLine[] }>, known: Map<string, string>): Checked {
  const out: Checked = { ok: [], refused: [] };
  const seen = new Map<string, string>();
  for (const { file, drafts } of sources) {
    for (const d of drafts) {
      const at = `${file}:${d.line}`;
      if (d.text.trim() === '') {
        out.refused.push({ at, reason: 'empty draft' });
        continue;
      }
      const w = weightedLength(d.text);
      if (w > MAX_WEIGHTED_LENGTH) {
        out.refused.push({ at, reason: `too long: ${w} weighted characters, X allows ${MAX_WEIGHTED_LENGTH}` });
        continue;
      }
      const hash = textHash(d.text);
      const id = known.get(hash);
      if (id !== undefined) {
        out.refused.push({ at, reason: `duplicate of draft ${id}` });
        continue;
      }
      const earlier = seen.get(hash);
      if (earlier !== undefined) {
        out.refused.push({ at, reason: `duplicate of ${earlier}` });
        continue;
      }
      seen.set(hash, at);
      out.ok.push({ text: d.text, hash, from: at });
    }
  }
  return out;
}
