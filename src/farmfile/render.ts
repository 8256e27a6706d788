import type { Plan, FieldChange } from './plan.js';

/** A value as diff prints it: text with spaces or quotes quoted as JSON writes it (so they show), the rest as is. */
const show = (v: unknown): string => {
  if (v === null || v === undefined) return '(unset)';
  if (typeof v !== 'string') return String(v);
  return /^[^\s"'\\]+$/.test(v) ? v : JSON.stringify(v);
};

function fieldLine(f: FieldChange, creating: boolean): string {
  // A summary of several lines (a scheduler's drafts, one per line) goes under its key.
  if (f.summary !== undefined) return f.summary.includes('\n') ? `    ${f.key}:\n${f.summary.split('\n').map((l) => `      ${l}`).join('\n')}` : `    ${f.key}: ${f.summary}`;
  if (f.secret) return `    ${f.key}: ${creating ? 'set' : 'changed'}`;
  return creating ? `    ${f.key}: ${show(f.to)}` : `    ${f.key}: ${show(f.from)} → ${show(f.to)}`;
}

/** The plan as text: + created, ~ changed (field by field), - destroyed, then one summary line. */
export function planLines(plan: Plan, file: string): string[] {
  const lines: string[] = [];
  for (const c of plan.create) {
    lines.push(`+ ${c.kind.name} ${c.name}`);
    for (const f of c.fields) lines.push(fieldLine(f, true));
  }
  for (const u of plan.update) {
    lines.push(`~ ${u.kind.name} ${u.name}`);
    for (const f of u.fields) lines.push(fieldLine(f, false));
  }
  for (const d of plan.destroy) lines.push(`- ${d.role} ${d.name}`);
  if (plan.kept.length) lines.push(`not in ${file}, kept (--prune destroys them): ${plan.kept.join(', ')}`);
  const n = plan.create.length + plan.update.length + plan.destroy.length;
  lines.push(
    n === 0
      ? `no changes: the farm matches ${file}`
      : `${plan.create.length} to create, ${plan.update.length} to change, ${plan.destroy.length} to destroy`,
  );
  return lines;
}

/** The plan as --json prints it. Secrets appear only as "set" (create) or {secret: true} (changed). */
export function planJson(plan: Plan, file: string, prefix: string) {
  const field = (f: FieldChange) => {
    if (f.summary !== undefined) return { key: f.key, change: f.summary };
    if (f.secret) return { key: f.key, secret: true };
    return { key: f.key, from: f.from ?? null, to: f.to ?? null };
  };
  return {
    file,
    prefix,
    changes: plan.create.length + plan.update.length + plan.destroy.length > 0,
    create: plan.create.map((c) => ({
      name: c.name,
      kind: c.kind.name,
      settings: Object.fromEntries(c.fields.map((f) => [f.key, f.summary ?? (f.secret ? 'set' : f.to)])),
    })),
    change: plan.update.map((u) => ({ name: u.name, kind: u.kind.name, fields: u.fields.map(field) })),
    destroy: plan.destroy.map((d) => ({ name: d.name, kind: d.role })),
    kept: plan.kept,
  };
}
