import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KIND_MEASUREMENTS } from '../../src/bots/figures.js';
import { BOT_FIELDS, BOT_MEASUREMENT, HOURLY_MEASUREMENT } from '../../src/metrics/influx.js';

const read = (path: string) => readFileSync(new URL(`../../ansible/${path}`, import.meta.url), 'utf8');
const dashboard = JSON.parse(read('grafana/dashboard.json'));

/** The provisioning files are YAML the Ansible role copies verbatim; check what must agree with the rest. */
describe('Grafana provisioning', () => {
  it('points the dashboard provider at the directory the monitoring role copies the dashboard to', () => {
    const provider = read('grafana/provisioning/dashboards/tfctl.yml');
    const dir = /^monitoring_grafana_dashboards_dir:\s*(\S+)/m.exec(read('roles/monitoring/defaults/main.yml'))?.[1];
    expect(dir).toBeTruthy();
    expect(provider).toMatch(new RegExp(`^\\s+path: ${dir}$`, 'm'));
    expect(provider).toMatch(/^\s+type: file$/m);
  });

  it('provisions an InfluxQL datasource with the uid the dashboard selects, URL and database from variables', () => {
    const ds = read('grafana/provisioning/datasources/influxdb.yml');
    const uid = /^\s+uid: (\S+)$/m.exec(ds)?.[1];
    const dsVar = dashboard.templating.list.find((v: { type: string }) => v.type === 'datasource');
    expect(dsVar.query).toBe('influxdb');
    expect(dsVar.current.value).toBe(uid);
    expect(ds).toMatch(/^\s+type: influxdb$/m);
    expect(ds).toMatch(/^\s+url: \$\{\w+\}$/m);
    expect(ds).toMatch(/^\s+dbName: \$\{\w+\}$/m);
  });

  it('queries only measurements and fields tfctl writes, through the datasource variable', () => {
    const panels = dashboard.panels.filter((p: { type: string }) => p.type !== 'row');
    const queries: string[] = [
      ...panels.flatMap((p: { targets: Array<{ query: string }> }) => p.targets.map((t) => t.query)),
      ...dashboard.templating.list.filter((v: { type: string }) => v.type === 'query').map((v: { query: string }) => v.query),
    ];
    for (const q of queries) {
      // The common measurements, and those the kinds declare (a collector's rule hits, a tracker's retweets).
      const from = [...q.matchAll(/FROM "(\w+)"/g)].map((m) => m[1]!);
      for (const m of from) expect([BOT_MEASUREMENT, HOURLY_MEASUREMENT, ...KIND_MEASUREMENTS.map((k) => k.name)], q).toContain(m);
      const own = KIND_MEASUREMENTS.filter((k) => from.includes(k.name)).flatMap((k) => k.fields);
      const fields = [...q.matchAll(/(?:last|sum)\("(\w+)"\)/g)].map((m) => m[1]!);
      for (const f of fields) expect([...BOT_FIELDS, 'posts', ...own], q).toContain(f);
      if (/^SELECT/.test(q)) expect(fields.length, q).toBeGreaterThan(0);
    }
    for (const p of panels) expect(p.datasource.uid).toBe('${datasource}');
    // A panel for each kind's own figures: the collectors' rule hits and the trackers' top tweets.
    expect(queries.some((q) => q.includes('FROM "tfctl_rule_hits"'))).toBe(true);
    expect(queries.some((q) => q.includes('FROM "tfctl_tweet_retweets"'))).toBe(true);
    expect(queries.some((q) => q.includes('FROM "tfctl_retweeter"'))).toBe(true);
  });
});
