import { UsageError } from '../errors.js';
import type { Farm } from '../farm/farm.js';
import { kindContext } from './apply.js';
import { readFarmFile, type FarmFile } from './parse.js';
import { planFarm, type Plan } from './plan.js';

export { applyPlan, type Step } from './apply.js';
export { FarmFileError } from './parse.js';
export { planIsEmpty } from './plan.js';
export { planJson, planLines } from './render.js';

/** Reads and checks a farm file (before any connection: a bad file never reaches Redis). */
export async function loadFarmFile(file: string, env: NodeJS.ProcessEnv, prefix: string): Promise<FarmFile> {
  const farmFile = await readFarmFile({ file, env });
  if (farmFile.prefix && farmFile.prefix.value !== prefix) {
    const { line, col } = farmFile.prefix.where;
    throw new UsageError(
      `${file}:${line}:${col}: the file is for the farm "${farmFile.prefix.value}" but TFCTL_PREFIX is "${prefix}": set TFCTL_PREFIX=${farmFile.prefix.value} to work on that farm`,
    );
  }
  return farmFile;
}

/** What applying the file would do to this farm now. */
export async function planFor(farm: Farm, farmFile: FarmFile, prune: boolean): Promise<Plan> {
  return planFarm(farmFile, await farm.store.all(), { prune, ctx: kindContext(farm) });
}
