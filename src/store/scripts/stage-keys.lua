-- Stages a batch of an archive's keys for `tfctl import` (src/archive/import.ts): checks first, then
-- writes each record under its staging name, so a batch costs one round trip and no reply per key.
-- A key already staged came earlier in the same archive: nothing of the batch is written and its index
-- is returned. A key the farm has already is a conflict the import decides on (--replace); it is
-- reported, and staged all the same.
-- Every key of one call is in one cluster slot: the import groups a batch by slot (a staging name keeps
-- its farm name's hash tag).
-- KEYS: for record i, 2i-1 its staging name, 2i its name in the farm
-- ARGV: for each record: its type (string, hash, set, zset, list), its TTL in ms or '', the count n of
--       values, then n values (string: the value; hash: field, value…; set, list: members in order;
--       zset: score, member…)
-- Reply: {index of the first record staged already, or 0; {indexes of records whose farm name exists}}
local n = #KEYS / 2
for i = 1, n do
  if redis.call('EXISTS', KEYS[2 * i - 1]) == 1 then return {i, {}} end
end
local conflicts = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[2 * i]) == 1 then conflicts[#conflicts + 1] = i end
end
local write = { string = 'SET', hash = 'HSET', set = 'SADD', zset = 'ZADD', list = 'RPUSH' }
local at = 1
for i = 1, n do
  local key, kind, ttl, count = KEYS[2 * i - 1], ARGV[at], ARGV[at + 1], tonumber(ARGV[at + 2])
  at = at + 3
  -- A few hundred values per call: unpack has a limit, and a big hash or list must not reach it.
  local step = kind == 'string' and 1 or 512
  for from = at, at + count - 1, step do
    redis.call(write[kind], key, unpack(ARGV, from, math.min(from + step - 1, at + count - 1)))
  end
  at = at + count
  if ttl ~= '' then redis.call('PEXPIRE', key, ttl) end
end
return {0, conflicts}
