import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { botName } from '../bots/bot.js';
import { defaultOf, KINDS, schemaOf } from '../bots/index.js';
import { names, normalKey, type Setting } from '../bots/settings.js';
import { SectionItemError, type BotKind, type BotSection } from '../bots/types.js';
import { UsageError } from '../errors.js';

/**
 * farm.yaml: the farm as an operator declares it. Its shape comes from the kinds' own schemas: a bot is
 * its `kind`, that kind's settings by their keys (as `create` and `set` take them), and the sections the
 * kind declares (rules, drafts…). Everything is checked here, secrets resolved included, so a file with
 * any problem is refused whole before the farm is even read.
 */

/** 1-based, as editors count. */
export interface Where {
  line: number;
  col: number;
}

/** A setting the file gives a bot (itself or through its kind's defaults). */
export interface DesiredValue {
  setting: Setting;
  /** What `create` would be given for it: the text in the file, or the secret a reference points at. */
  input: string;
  /** Parsed by the setting's type. */
  value: unknown;
  /** For secrets: the reference as written (env:NAME or a path); never the secret. */
  ref?: string;
  where: Where;
}

export interface DesiredBot {
  name: string;
  kind: BotKind;
  where: Where;
  values: Map<Setting, DesiredValue>;
  sections: Map<BotSection, { value: unknown; where: Where }>;
}

export interface FarmFile {
  file: string;
  /** The farm (key prefix) the file is for, when it says. */
  prefix?: { value: string; where: Where };
  bots: DesiredBot[];
}

export interface Problem {
  where: Where;
  message: string;
}

/** A farm file that cannot be applied: every problem found, each at its line and column. */
export class FarmFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(problems.map((p) => `${file}:${p.where.line}:${p.where.col}: ${p.message}`).join('\n'));
  }

  /** One line per problem, as compilers print them. */
  lines(): string[] {
    return this.message.split('\n');
  }
}

export interface ParseOptions {
  /** The file's name as messages show it; relative secret paths are read from its folder. */
  file: string;
  /** Where `env:NAME` references are looked up. */
  env: NodeJS.ProcessEnv;
  /** The registry (tests may give kinds of their own). */
  kinds?: readonly BotKind[];
}

const TOP_KEYS = ['version', 'prefix', 'defaults', 'bots'];

/** Reads and checks a farm file from disk. */
export async function readFarmFile(opts: ParseOptions): Promise<FarmFile> {
  let text: string;
  try {
    text = readFileSync(opts.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${opts.file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`);
  }
  return parseFarmFile(text, opts);
}

/** Checks a farm file's text: YAML, shape, every setting by its kind's schema, and each secret reference. */
export async function parseFarmFile(text: string, opts: ParseOptions): Promise<FarmFile> {
  const kinds = opts.kinds ?? KINDS;
  const lc = new LineCounter();
  // failsafe: every scalar is text, parsed by the setting's own type, so `every: 30` means what
  // `--every 30` means, and no value turns into a number or a boolean on YAML's say-so.
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = [];
  const at = (node: Node | null | undefined | number): Where => {
    const offset = typeof node === 'number' ? node : (node?.range?.[0] ?? 0);
    return lc.linePos(offset);
  };
  const problem = (where: Where, message: string) => problems.push({ where, message });
  const fail = () => new FarmFileError(opts.file, problems.sort((a, b) => a.where.line - b.where.line || a.where.col - b.where.col));

  for (const e of doc.errors) problem(lc.linePos(e.pos[0]), e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  if (problems.length) throw fail();

  const out: FarmFile = { file: opts.file, bots: [] };
  const root = doc.contents;
  if (!root) {
    problem(at(0), 'the file is empty: it needs "bots:" with the farm\'s bots');
    throw fail();
  }
  if (!isMap(root)) {
    problem(at(root), 'expected a mapping: bots:, and optionally prefix:, defaults:, version:');
    throw fail();
  }

  const scalarText = (node: unknown): string | undefined => {
    if (node === null || node === undefined) return '';
    if (isScalar(node)) return node.value === null || node.value === undefined ? '' : String(node.value);
    return undefined;
  };
  const keyOf = (pair: Pair): string => scalarText(pair.key) ?? '';
  const mapOf = (node: unknown, what: string, where: Where): YAMLMap | undefined => {
    if (node === null || node === undefined || (isScalar(node) && (node.value === '' || node.value === null))) return undefined;
    if (isMap(node)) return node;
    problem(where, `${what} must be a mapping`);
    return undefined;
  };

  let defaultsNode: YAMLMap | undefined;
  let botsNode: YAMLMap | undefined;
  let botsWhere = at(root);
  for (const pair of root.items) {
    const key = keyOf(pair);
    const keyAt = at(pair.key as Node);
    const valueAt = pair.value ? at(pair.value as Node) : keyAt;
    if (key === 'version') {
      if (scalarText(pair.value) !== '1') problem(valueAt, 'version must be 1 (the only farm file version there is)');
    } else if (key === 'prefix') {
      const value = scalarText(pair.value);
      if (!value || !/^[A-Za-z0-9_.-]{1,64}$/.test(value)) problem(valueAt, 'prefix must be a farm\'s key prefix: 1 to 64 letters, digits, _ . or -');
      else out.prefix = { value, where: valueAt };
    } else if (key === 'defaults') {
      defaultsNode = mapOf(pair.value, 'defaults', valueAt);
    } else if (key === 'bots') {
      botsWhere = keyAt;
      botsNode = mapOf(pair.value, 'bots', valueAt);
      // An empty farm must be said so: a stray "bots:" with nothing under it would let --prune empty the farm.
      if (!botsNode && scalarText(pair.value) === '') problem(keyAt, 'bots: is empty: an empty farm is written "bots: {}"');
    } else {
      problem(keyAt, `unknown key "${key}": a farm file has ${TOP_KEYS.join(', ')}`);
    }
  }

  const byName = new Map(kinds.map((k) => [k.name, k]));
  const kindList = kinds.map((k) => k.name).join(', ');
  const find = (schema: readonly Setting[], key: string) => schema.find((s) => names(s).includes(key));
  const ownersOf = (key: string, except: BotKind) =>
    kinds.filter((k) => k !== except && (find(k.settings, key) || k.sections?.some((x) => x.key === key))).map((k) => k.plural);

  /** A setting's value from the file: text for plain settings, a resolved reference for secrets. */
  const readValue = (s: Setting, node: unknown, where: Where, owner: string): DesiredValue | undefined => {
    const raw = scalarText(node);
    if (raw === undefined) {
      problem(where, `${s.key} must be a single value, not a ${isMap(node) ? 'mapping' : 'list'}`);
      return undefined;
    }
    if (!s.secret) return { setting: s, input: raw, value: undefined, where };
    try {
      return { setting: s, input: resolveSecret(raw, s.key, opts), value: undefined, ref: raw, where };
    } catch (err) {
      problem(where, `${owner}: ${(err as Error).message}`);
      return undefined;
    }
  };

  // Defaults per kind: settings only, laid under each bot of that kind.
  const defaults = new Map<BotKind, Map<Setting, DesiredValue>>();
  for (const pair of defaultsNode?.items ?? []) {
    const kindName = keyOf(pair);
    const kind = byName.get(kindName);
    const keyAt = at(pair.key as Node);
    if (!kind) {
      problem(keyAt, `unknown kind "${kindName}" in defaults: use ${kindList}`);
      continue;
    }
    const values = new Map<Setting, DesiredValue>();
    defaults.set(kind, values);
    const map = mapOf(pair.value, `defaults for ${kind.plural}`, pair.value ? at(pair.value as Node) : keyAt);
    for (const item of map?.items ?? []) {
      const key = normalKey(keyOf(item));
      const where = at(item.key as Node);
      const s = find(schemaOf(kind), key);
      if (!s) {
        problem(where, unknownKey(key, kind, ownersOf(key, kind), `defaults for ${kind.plural}`));
        continue;
      }
      if (values.has(s)) {
        problem(where, `${s.key} is given twice in defaults for ${kind.plural} (${names(s).join(' and ')} are one setting)`);
        continue;
      }
      const v = readValue(s, item.value, item.value ? at(item.value as Node) : where, `defaults for ${kind.plural}`);
      if (v) values.set(s, v);
    }
  }

  if (!botsNode) {
    if (!problems.length && !root.items.some((p) => keyOf(p) === 'bots')) problem(botsWhere, 'the file has no "bots:": an empty farm is written "bots: {}"');
  }
  const seen = new Set<string>();
  const rawSections: Array<{ bot: DesiredBot; section: BotSection; node: unknown; raw: unknown; where: Where }> = [];
  const refusedOf = new Map<DesiredBot, Set<Setting>>();
  for (const pair of botsNode?.items ?? []) {
    const keyAt = at(pair.key as Node);
    let name: string;
    try {
      name = botName(keyOf(pair));
    } catch (err) {
      problem(keyAt, (err as Error).message);
      continue;
    }
    if (seen.has(name)) {
      problem(keyAt, `bot "${name}" is declared twice`);
      continue;
    }
    seen.add(name);
    const map = mapOf(pair.value, `bot "${name}"`, pair.value ? at(pair.value as Node) : keyAt);
    if (!map) {
      if (!pair.value || !isMap(pair.value)) problem(keyAt, `bot "${name}" needs at least its kind (kind: ${kinds[0]?.name ?? 'reader'})`);
      continue;
    }
    const kindPair = map.items.find((p) => keyOf(p) === 'kind');
    if (!kindPair) {
      problem(keyAt, `bot "${name}" has no kind: use one of ${kindList}`);
      continue;
    }
    const kindName = scalarText(kindPair.value) ?? '';
    const kind = byName.get(kindName);
    if (!kind) {
      problem(kindPair.value ? at(kindPair.value as Node) : at(kindPair.key as Node), `unknown kind "${kindName}" for bot "${name}": use ${kindList} (see tfctl kinds)`);
      continue;
    }
    const bot: DesiredBot = { name, kind, where: keyAt, values: new Map(defaults.get(kind) ?? []), sections: new Map() };
    const own = new Set<Setting>();
    // Settings given but refused: reported once, not again as missing.
    const refused = new Set<Setting>();
    refusedOf.set(bot, refused);
    const schema = schemaOf(kind);
    for (const item of map.items) {
      const rawKey = keyOf(item);
      if (rawKey === 'kind') continue;
      const key = normalKey(rawKey);
      const where = at(item.key as Node);
      const valueAt = item.value ? at(item.value as Node) : where;
      const s = find(schema, key);
      if (s) {
        if (own.has(s)) {
          problem(where, `${s.key} is given twice for bot "${name}" (${names(s).join(' and ')} are one setting)`);
          continue;
        }
        own.add(s);
        const v = readValue(s, item.value, valueAt, `bot "${name}"`);
        if (v) bot.values.set(s, v);
        else {
          bot.values.delete(s);
          refused.add(s);
        }
        continue;
      }
      const section = kind.sections?.find((x) => x.key === key);
      if (section) {
        // Parsed once the settings are (below): a section's checks may depend on them.
        rawSections.push({ bot, section, node: item.value, raw: item.value ? (item.value as Node).toJSON() : null, where: valueAt });
        continue;
      }
      problem(where, unknownKey(key, kind, ownersOf(key, kind), `bot "${name}"`));
    }
    out.bots.push(bot);
  }

  // Each value through its setting's own type (a template is parsed, a duration read…).
  for (const bot of out.bots) {
    const what = `bot "${bot.name}"`;
    for (const v of bot.values.values()) {
      try {
        v.value = await v.setting.value.parse(v.input, v.setting.key);
      } catch (err) {
        problem(v.where, `${what}: ${(err as Error).message}`);
      }
    }
    const refused = refusedOf.get(bot) ?? new Set<Setting>();
    for (const s of schemaOf(bot.kind)) {
      if (s.required && !bot.values.has(s) && !refused.has(s)) problem(bot.where, `${what} is a ${bot.kind.name} and needs ${s.key}: ${s.help}`);
    }
    const token = [...bot.values.keys()].find((s) => s.key === 'token');
    const secret = [...bot.values.keys()].find((s) => s.key === 'secret');
    const refusedSecret = [...refused].some((s) => s.secret);
    if (Boolean(token) !== Boolean(secret) && !refusedSecret) problem(bot.values.get((token ?? secret)!)!.where, `${what}: token and secret go together`);
    const source = [...bot.values.values()].find((v) => v.setting.prop === 'source');
    if (source && source.value === bot.name) problem(source.where, `${what} cannot be its own source`);
    if (bot.kind.check && !problems.length) {
      const props = Object.fromEntries([...bot.values.values()].map((v) => [v.setting.prop, v.value]));
      try {
        bot.kind.check(props, bot.name);
      } catch (err) {
        problem(bot.where, `${what}: ${(err as Error).message}`);
      }
    }
  }
  for (const { bot, section, node, raw, where } of rawSections) {
    const settings: Record<string, unknown> = {};
    for (const s of schemaOf(bot.kind)) settings[s.prop] = bot.values.has(s) ? bot.values.get(s)!.value : defaultOf(bot.kind, s);
    try {
      bot.sections.set(section, { value: await section.parse(raw, bot.name, settings, { file: opts.file }), where });
    } catch (err) {
      // A problem with one item of a list is shown at that item.
      const item = err instanceof SectionItemError && isSeq(node) ? node.items[err.item] : undefined;
      problem(item ? at(item as Node) : where, `bot "${bot.name}": ${(err as Error).message}`);
    }
  }
  if (problems.length) throw fail();
  return out;
}

/** "a", "a and b", "a, b and c". */
function listed(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

function unknownKey(key: string, kind: BotKind, owners: string[], what: string): string {
  if (owners.length) return `${key} is for ${listed(owners)}; ${what} is a ${kind.name}`;
  const known = ['kind', ...schemaOf(kind).map((s) => s.key), ...(kind.sections ?? []).map((x) => x.key)];
  return `unknown setting "${key}" for ${what} (a ${kind.name}): use ${known.join(', ')}`;
}

/**
 * A secret from its reference: `env:NAME`, or the path of a file (`file:PATH`, or any value with a
 * slash; relative to the farm file's folder) that only its owner may read. Anything else is refused:
 * a secret written into the file would be committed with it.
 */
export function resolveSecret(ref: string, key: string, opts: Pick<ParseOptions, 'file' | 'env'>): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${key}: "${ref}" does not name an environment variable`);
    const value = opts.env[name];
    if (value === undefined || value === '') throw new UsageError(`${key}: the environment variable ${name} is not set`);
    return value;
  }
  if (ref.startsWith('file:') || ref.includes('/')) {
    const path = resolve(dirname(opts.file), ref.startsWith('file:') ? ref.slice(5) : ref);
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw new UsageError(`${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    if (!st.isFile()) throw new UsageError(`${key}: ${path} is not a file`);
    const mode = st.mode & 0o777;
    if (mode & 0o077) {
      throw new UsageError(`${key} file ${path} can be read by others than its owner (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${path}`);
    }
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (value.trim() === '') throw new UsageError(`${key}: ${path} is empty`);
    if (/[\r\n]/.test(value)) throw new UsageError(`${key}: ${path} holds more than one line`);
    return value;
  }
  throw new UsageError(
    `${key} must be a reference, not the secret itself: env:NAME, or the path of a file only its owner can read (a secret written here would be committed with the file)`,
  );
}
