/**
 * Whether a tweet X shows is the text the farm sent. X does not return a text as it was sent: it
 * escapes `&`, `<` and `>` as HTML entities, wraps every link (with or without a scheme) in a t.co URL
 * (the original in `entities.urls[].expanded_url`), and gives a long post's full text in `note_tweet`.
 */
export interface ShownTweet {
  text: string;
  entities?: { urls?: Array<{ url?: string; expanded_url?: string }> };
  note_tweet?: { text: string; entities?: { urls?: Array<{ url?: string; expanded_url?: string }> } };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** One pass, so an escaped `&amp;lt;` becomes `&lt;`, not `<`. */
function unescapeHtml(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]!);
}

/** The tweet's text as its author wrote it, as far as X's answer tells. */
export function shownText(t: ShownTweet): string {
  const note = t.note_tweet;
  let s = note?.text ?? t.text;
  for (const u of (note ? note.entities?.urls : t.entities?.urls) ?? []) {
    if (u.url && u.expanded_url) s = s.split(u.url).join(u.expanded_url);
  }
  return unescapeHtml(s);
}

// What X links: URLs with a scheme, and bare domains.
const LINK = /\bhttps?:\/\/\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?:\/\S*)?/gi;

const norm = (s: string) => s.normalize('NFC').trim();

export function sameText(sent: string, shown: ShownTweet): boolean {
  const a = norm(sent);
  const b = norm(shownText(shown));
  if (a === b) return true;
  // Without entities a t.co link cannot be expanded: any link stands for any link.
  return a.replace(LINK, '\u0000') === b.replace(LINK, '\u0000');
}
