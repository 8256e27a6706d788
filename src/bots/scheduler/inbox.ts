import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkDrafts, splitDrafts } from './drafts.js';
import type { DraftStore } from './store.js';

export interface InboxResult {
  imported: number;
  files: string[];
  rejected: string[];
  error?: string;
}

/**
 * The seed's drafts folder: each new DIR/*.txt is imported whole or not at all. An imported file moves
 * to DIR/imported/; one with any refused draft (or unreadable) to DIR/rejected/ with NAME.why beside it
 * saying why, line by line. The file's content hash is recorded with its drafts in one step, so a file
 * whose move a crash prevented is moved by the next tick, not imported again.
 */
export async function importInbox(dir: string, store: DraftStore, now: number): Promise<InboxResult> {
  const result: InboxResult = { imported: 0, files: [], rejected: [] };
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.txt')).map((e) => e.name).sort();
  } catch (err) {
    return { ...result, error: `cannot read the inbox ${dir}: ${err instanceof Error ? err.message : String(err)}` };
  }
  for (const name of names) {
    const path = join(dir, name);
    let content: Buffer;
    try {
      content = await readFile(path);
    } catch {
      // Gone meanwhile (another tick moved it) or unreadable: left where it is for the next tick.
      continue;
    }
    const hash = createHash('sha1').update(content).digest('hex');
    if (!(await store.inboxSeen(hash))) {
      const text = content.toString('utf8');
      const reasons: string[] = [];
      if (text.includes('\uFFFD')) reasons.push(`${name}: not UTF-8 text`);
      const checked = checkDrafts([{ file: name, drafts: splitDrafts(text) }], await store.hashes());
      for (const r of checked.refused) reasons.push(`${r.at}: ${r.reason}`);
      if (reasons.length === 0 && checked.ok.length === 0) reasons.push(`${name}: no drafts in it`);
      if (reasons.length) {
        const moved = await moveTo(dir, 'rejected', name);
        await writeFile(`${moved}.why`, reasons.join('\n') + '\n');
        result.rejected.push(name);
        continue;
      }
      const added = await store.add(checked.ok, now, hash);
      result.imported += added.length;
    }
    await moveTo(dir, 'imported', name);
    result.files.push(name);
  }
  return result;
}

/** Moves DIR/name into DIR/sub/, never over an earlier file of the same name. */
async function moveTo(dir: string, sub: string, name: string): Promise<string> {
  await mkdir(join(dir, sub), { recursive: true });
  let target = join(dir, sub, name);
  const existing = new Set(await readdir(join(dir, sub)));
  for (let n = 1; existing.has(target.slice(join(dir, sub).length + 1)); n++) target = join(dir, sub, name.replace(/\.txt$/, `.${n}.txt`));
  await rename(join(dir, name), target);
  return target;
}
