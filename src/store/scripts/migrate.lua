-- Renames a farm's farm-wide keys from their names before the `{farm-wide}` hash tag to their names now
-- (src/store/migrate.ts). One Redis only: the old names lie in other slots than the new, which is why
-- this is the one script that crosses slots, and why it never runs on a cluster (no farm there has old
-- names). Idempotent: a key already moved is not there any more. When both names exist (something wrote
-- the new one first), they are merged: a set's members, a sorted set's lower scores (a due time too
-- early is safe, one too late is not), a hash's fields the new one lacks; of a string (a lock, the
-- bearer cache) or a stream (the events, a notification log) the new one is kept.
-- KEYS: for pair i, 2i-1 the old name, 2i the new name
-- Reply: how many old keys were found
local found = 0
for i = 1, #KEYS, 2 do
  local old, new = KEYS[i], KEYS[i + 1]
  if redis.call('EXISTS', old) == 1 then
    found = found + 1
    if redis.call('EXISTS', new) == 0 then
      redis.call('RENAME', old, new)
    else
      local kind = redis.call('TYPE', old)['ok']
      if kind == 'set' then
        redis.call('SUNIONSTORE', new, new, old)
      elseif kind == 'zset' then
        redis.call('ZUNIONSTORE', new, 2, new, old, 'AGGREGATE', 'MIN')
      elseif kind == 'hash' then
        local h = redis.call('HGETALL', old)
        for j = 1, #h, 2 do redis.call('HSETNX', new, h[j], h[j + 1]) end
      end
      redis.call('DEL', old)
    end
  end
end
return found
