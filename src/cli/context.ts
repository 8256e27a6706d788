import { loadConfig } from '../config.js';
import { Farm } from '../farm/farm.js';

/** Opens the farm for one command and always closes it, so the process can exit by itself. */
export async function withFarm<T>(fn: (farm: Farm) => Promise<T>): Promise<T> {
  const farm = await Farm.open(loadConfig());
  try {
    return await fn(farm);
  } finally {
    await farm.close();
  }
}
