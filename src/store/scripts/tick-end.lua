-- The end of a bot's tick, in one step in its slot: the bookkeeping of every text it settled (what
-- record-post.lua does for one: marked posted, recorded, intent cleared, counters and the kind's own steps),
-- intents dropped or rewritten, the bot's state and counters written, and its lock released if still ours.
-- KEYS: 1 the bot's lock, 2 the bot's hash, 3 intents hash, 4 posted set, 5 posts list, 6 hourly hash,
--       7… the kind's own keys that settle steps name (index 0 is KEYS[7])
-- ARGV: 1 this run's token, 2 the plan as JSON (every number in it a string, but key indexes):
--   { settled = [{ hash, post (JSON, '' when nothing was posted), hour, counter, steps = [[cmd, key index, args…]] }],
--     cap (posts list length), drop = [hash…], rewrite = [[hash, intent JSON]…],
--     set = { field = value }, del = [field…], incr = { field = by } }
-- Returns 1 when the lock was released, 0 when it was no longer ours (it lapsed: the bookkeeping is done anyway).
local plan = cjson.decode(ARGV[2])
local allowed = { HINCRBY = true, LREM = true, ZADD = true, SADD = true, HSET = true }
-- Every step is checked before any is done, so a bad plan changes nothing.
for _, s in ipairs(plan.settled or {}) do
  for _, step in ipairs(s.steps or {}) do
    if not allowed[step[1]] or not KEYS[7 + step[2]] then return redis.error_reply('tick-end: step not allowed: ' .. tostring(step[1])) end
  end
end
for _, s in ipairs(plan.settled or {}) do
  redis.call('SADD', KEYS[4], s.hash)
  redis.call('HDEL', KEYS[3], s.hash)
  if s.post ~= '' then
    redis.call('LPUSH', KEYS[5], s.post)
    redis.call('LTRIM', KEYS[5], 0, tonumber(plan.cap) - 1)
    redis.call('HINCRBY', KEYS[6], s.hour, 1)
  end
  redis.call('HINCRBY', KEYS[2], 'n_' .. s.counter, 1)
  for _, step in ipairs(s.steps or {}) do
    local args = {}
    for i = 3, #step do args[#args + 1] = tostring(step[i]) end
    redis.call(step[1], KEYS[7 + step[2]], unpack(args))
  end
end
for _, hash in ipairs(plan.drop or {}) do redis.call('HDEL', KEYS[3], hash) end
for _, pair in ipairs(plan.rewrite or {}) do redis.call('HSET', KEYS[3], pair[1], pair[2]) end
if plan.del and #plan.del > 0 then redis.call('HDEL', KEYS[2], unpack(plan.del)) end
if plan.set then
  local flat = {}
  for f, v in pairs(plan.set) do
    flat[#flat + 1] = f
    flat[#flat + 1] = tostring(v)
  end
  if #flat > 0 then redis.call('HSET', KEYS[2], unpack(flat)) end
end
if plan.incr then
  for f, by in pairs(plan.incr) do redis.call('HINCRBY', KEYS[2], f, by) end
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
