import { KINDS } from './index.js';
import type { KindContext, KindMeasurement, KindPoint } from './types.js';

/**
 * The kinds' own figures for list, stats and InfluxDB: each kind is asked once for all its bots, so
 * a farm of writers (a kind without figures) costs nothing more.
 */

type Named = { name: string; role: string };

function byKind(bots: readonly Named[]) {
  return KINDS.map((kind) => ({ kind, names: bots.filter((b) => b.role === kind.name).map((b) => b.name) })).filter((g) => g.names.length > 0);
}

/** Each bot's extra row keys and table line, by name (bots whose kind adds none are absent). */
export async function kindRows(bots: readonly Named[], ctx: KindContext): Promise<Map<string, { fields: Record<string, unknown>; line?: string }>> {
  const out = new Map<string, { fields: Record<string, unknown>; line?: string }>();
  for (const { kind, names } of byKind(bots)) {
    if (!kind.figures?.rows) continue;
    for (const [name, row] of await kind.figures.rows(names, ctx)) out.set(name, row);
  }
  return out;
}

/** The points of the kinds' own measurements for these bots. */
export async function kindPoints(bots: readonly Named[], ctx: KindContext): Promise<KindPoint[]> {
  const out: KindPoint[] = [];
  for (const { kind, names } of byKind(bots)) if (kind.figures?.points) out.push(...(await kind.figures.points(names, ctx)));
  return out;
}

/** Every kind's own measurements (for the InfluxDB client's schema and the dashboard's checks). */
export const KIND_MEASUREMENTS: readonly KindMeasurement[] = KINDS.flatMap((k) => k.figures?.measurements ?? []);
