import { stringify } from 'yaml';
import type { Bot } from '../bots/bot.js';
import { defaultOf, KINDS, schemaOf } from '../bots/index.js';
import type { BotKind, KindContext } from '../bots/types.js';
import { TYPED } from '../bots/configure.js';
import { shown } from './plan.js';

/**
 * Today's farm as a farm file, so a farm made by hand can go under version control: every bot with
 * its kind and settings, secrets as references to environment variables (TFCTL_<NAME>_TOKEN and
 * TFCTL_<NAME>_SECRET), never their values, and each kind's sections. Applying it to an empty Redis,
 * with those variables set, makes the same farm.
 */
export async function farmYaml(bots: Bot[], opts: { prefix: string; ctx: KindContext; withoutSecrets?: boolean; kinds?: readonly BotKind[] }): Promise<string> {
  const kinds = opts.kinds ?? KINDS;
  const order = (role: string) => {
    const k = kinds.find((x) => x.name === role);
    return k ? ['source', 'consumer', 'standalone'].indexOf(k.family) : 3;
  };
  const sorted = [...bots].sort((a, b) => order(a.role) - order(b.role) || a.name.localeCompare(b.name));
  const out: Record<string, Record<string, unknown>> = {};
  const variables: string[] = [];
  const usedVars = new Set<string>();
  const skipped: string[] = [];
  for (const bot of sorted) {
    const kind = kinds.find((k) => k.name === bot.role);
    if (!kind) {
      skipped.push(`${bot.name} (${bot.role || 'no kind'})`);
      continue;
    }
    const entry: Record<string, unknown> = { kind: kind.name };
    for (const s of schemaOf(kind)) {
      const v = TYPED.has(s.prop) ? (bot as unknown as Record<string, unknown>)[s.prop] : bot.settings[s.prop];
      if (v === undefined) continue;
      if (s.secret) {
        if (opts.withoutSecrets) continue;
        // Names differing only in case would share a variable: the later one gets a number.
        let variable = `TFCTL_${bot.name.toUpperCase()}_${s.key.toUpperCase().replace(/-/g, '_')}`;
        for (let i = 2; usedVars.has(variable); i++) variable = `TFCTL_${bot.name.toUpperCase()}_${i}_${s.key.toUpperCase().replace(/-/g, '_')}`;
        usedVars.add(variable);
        variables.push(variable);
        entry[s.key] = `env:${variable}`;
        continue;
      }
      // A paused flag is written only when set: most bots run.
      if (s.setOnly && v === defaultOf(kind, s)) continue;
      entry[s.key] = shown(s, v);
    }
    for (const section of kind.sections ?? []) {
      const value = await section.read(bot, opts.ctx);
      if (value !== undefined) entry[section.key] = value;
    }
    out[bot.name] = entry;
  }
  const header = [
    `# tfctl farm file, exported from the farm "${opts.prefix}".`,
    '# `tfctl diff FILE` shows what `tfctl apply FILE` would change; see "Farm as code" in the README.',
  ];
  if (variables.length) {
    header.push('# Secrets are references to environment variables; set these before diff or apply:');
    for (let i = 0; i < variables.length; i += 3) header.push(`#   ${variables.slice(i, i + 3).join(' ')}`);
  }
  if (skipped.length) header.push(`# Left out (kinds this tfctl does not know): ${skipped.join(', ')}`);
  const body = stringify({ version: 1, prefix: opts.prefix, bots: out }, { lineWidth: 0 });
  return `${header.join('\n')}\n${body}`;
}
