/**
 * What must never be printed or stored in a message: tokens, secrets and passwords. Used on every error
 * line the CLI prints, on every error a tick stores as a bot's last_error, and on everything written to
 * stderr while DEBUG is set (ioredis logs its commands, arguments included, there).
 */
const known = new Set<string>();
/** The known secrets by their first HEAD characters: redact() looks only at those a text could hold. */
const byHead = new Map<string, string[]>();
const HEAD = 6;

/** A value to blank wherever it appears (a bot's token once it was read, a password from a URL). */
export function addSecret(value: string | undefined): void {
  if (!value || value.length < HEAD || known.has(value)) return;
  known.add(value);
  const head = value.slice(0, HEAD);
  const list = byHead.get(head);
  if (list) list.push(value);
  else byHead.set(head, [value]);
}

/** The secrets the environment carries: the app's secret, tokens given by env, passwords in URLs. */
export function addSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of ['TFCTL_CONSUMER_SECRET', 'TFCTL_TOKEN', 'TFCTL_TOKEN_SECRET']) addSecret(env[name]);
  for (const name of ['REDIS_URL', 'TFCTL_X_API', 'TFCTL_INFLUX_URL']) {
    try {
      // A cluster's REDIS_URL may list several hosts (redis://:pw@a:1,b:2): the first one's URL has the password.
      const u = new URL((env[name] ?? '').replace(/(@[^,/?#]*),[^/?#]*/, '$1'));
      addSecret(decodeURIComponent(u.password));
      addSecret(u.password);
    } catch {
      // not a URL: nothing to learn from it
    }
  }
}

// scheme://user:password@host → scheme://user:***@host
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;
// A value after a secret's field name: quoted, as ioredis logs arguments ('token', 'v'), JSON and OAuth
// headers write them. Prose such as "secret: <a file>" is left alone.
const NAMES = 'token|secret|access_?token|access_?secret|oauth_token|oauth_token_secret|oauth_signature|oauth_verifier|password|requirepass|consumer_?secret';
const QUOTED_FIELD = new RegExp(`(['"]?\\b(?:${NAMES})['"]?\\s*[,:=]\\s*)(['"])[^'"]*\\2`, 'gi');
// …or joined by `=` (set token=…) or, as ioredis logs a script's arguments, by a bare comma (token,v).
const ASSIGNED_FIELD = new RegExp(`(\\b(?:${NAMES})[=,])(?!['"\\s])[^\\s&'",)\\]}]+`, 'gi');

export function redact(text: string): string {
  let out = text.replace(URL_PASSWORD, '$1***@').replace(QUOTED_FIELD, '$1$2***$2').replace(ASSIGNED_FIELD, '$1***');
  return known.size ? blankKnown(out) : out;
}

/**
 * Every known secret in `text` blanked, the longest where two start at one place. One look-up per
 * character, however many secrets there are: a tick of a big farm knows two per bot and redacts every
 * bot's report (comparing each text with each secret made that quadratic).
 */
function blankKnown(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i + HEAD <= text.length; ) {
    let found = '';
    for (const s of byHead.get(text.slice(i, i + HEAD)) ?? []) if (s.length > found.length && text.startsWith(s, i)) found = s;
    if (!found) {
      i++;
      continue;
    }
    out += `${text.slice(copied, i)}***`;
    i += found.length;
    copied = i;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

let guarded = false;

/** While DEBUG is set, everything written to stderr goes through redact() first. */
export function guardStderr(): void {
  if (guarded) return;
  guarded = true;
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(typeof chunk === 'string' ? redact(chunk) : Buffer.isBuffer(chunk) ? redact(chunk.toString('utf8')) : chunk, ...rest)) as typeof process.stderr.write;
}
