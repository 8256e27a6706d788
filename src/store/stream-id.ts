/** Redis stream ids ("ms-seq") compared as numbers: both parts can exceed 2^53. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am! !== bm!) return am! < bm! ? -1 : 1;
  if (as! !== bs!) return as! < bs! ? -1 : 1;
  return 0;
}
