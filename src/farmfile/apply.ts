import type { Farm } from '../farm/farm.js';
import type { KindContext } from '../bots/types.js';
import type { Plan } from './plan.js';

/** What apply reports after each step, for its output. */
export type Step = { op: 'created' | 'changed' | 'destroyed'; name: string; kind: string; keys: string[] };

export function kindContext(farm: Farm): KindContext {
  return { redis: farm.redis, store: farm.store, now: () => farm.now() };
}

/**
 * Carries out a plan step by step, in its order. Each step is one atomic change of one bot (its
 * settings in one script; a section in its own), so a run cut short leaves whole bots, and applying
 * the file again finishes the job.
 */
export async function applyPlan(farm: Farm, plan: Plan, onStep: (step: Step) => void = () => {}): Promise<void> {
  const ctx = kindContext(farm);
  for (const c of plan.create) {
    const input: Record<string, string> = {};
    for (const v of c.desired.values.values()) if (!v.setting.setOnly) input[v.setting.key] = v.input;
    let bot = await farm.create({ ...input, name: c.name, role: c.kind.name });
    if (Object.keys(c.after).length) {
      await farm.change(bot, { ...c.after });
      bot = await farm.store.require(c.name);
    }
    for (const w of c.sections) await w.section.write(bot, w.value, ctx);
    onStep({ op: 'created', name: c.name, kind: c.kind.name, keys: c.fields.map((f) => f.key) });
  }
  for (const u of plan.update) {
    if (u.changes.fields || u.changes.clear || Object.keys(u.changes).length) await farm.change(u.bot, { ...u.changes });
    for (const w of u.sections) await w.section.write(await farm.store.require(u.name), w.value, ctx);
    onStep({ op: 'changed', name: u.name, kind: u.kind.name, keys: u.fields.map((f) => f.key) });
  }
  for (const d of plan.destroy) {
    await farm.destroy(d.name);
    onStep({ op: 'destroyed', name: d.name, kind: d.role, keys: [] });
  }
}
