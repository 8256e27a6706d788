import { F } from '../store/bot-record.js';
import { kindOf, schemaOf } from './index.js';

/**
 * What is wrong with a bot's hash as its kind's schema sees it: an unknown role, a required setting
 * missing, a value its type refuses (a template that does not parse, a per-tick out of range…). For
 * import, which takes hashes from an archive: the same rules as create and set. Empty when it is sound.
 */
export async function checkBotHash(name: string, h: Record<string, string>): Promise<string[]> {
  const role = h[F.role];
  if (!role) return [`bot "${name}" has no role`];
  const kind = kindOf(role);
  if (!kind) return [`bot "${name}" has an unknown role "${role}"`];
  const problems: string[] = [];
  for (const s of schemaOf(kind)) {
    const stored = h[s.field];
    if (stored === undefined || stored === '') {
      if (s.required) problems.push(`${kind.name} "${name}" has no ${s.key}`);
      continue;
    }
    if (s.secret) continue; // tokens are opaque
    try {
      // The hash holds the stored form (seconds, '1'): shown as typed, then parsed as create would.
      const decoded = s.value.decode(stored);
      await s.value.parse(String(s.value.show ? s.value.show(decoded as never) : decoded), s.key);
    } catch (err) {
      problems.push(`${kind.name} "${name}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems;
}
