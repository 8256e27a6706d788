-- The bookkeeping after a post, in one step: the text is marked posted, the post is recorded
-- (recent posts, capped), its intent is cleared, and the counters move.
-- KEYS: 1 posted set, 2 posts list, 3 intents hash, 4 bot hash, 5 hourly hash, 6… a kind's own keys (Settle)
-- ARGV: 1 text hash, 2 post JSON ('' for a duplicate: nothing to record), 3 posts cap, 4 hour field, 5 counter name,
--       6 the kind's own steps as JSON [[command, key index from 0 into KEYS 6…, args…], …] or ''
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('LPUSH', KEYS[2], ARGV[2])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
  redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
end
redis.call('HINCRBY', KEYS[4], 'n_' .. ARGV[5], 1)
if ARGV[6] and ARGV[6] ~= '' then
  local allowed = { HINCRBY = true, LREM = true, ZADD = true, SADD = true, HSET = true }
  local steps = cjson.decode(ARGV[6])
  -- Checked before any is done, so a bad step changes nothing.
  for _, step in ipairs(steps) do
    if not allowed[step[1]] or not KEYS[6 + step[2]] then return redis.error_reply('record-post: step not allowed: ' .. tostring(step[1])) end
  end
  for _, step in ipairs(steps) do
    local args = {}
    for i = 3, #step do args[#args + 1] = tostring(step[i]) end
    redis.call(step[1], KEYS[6 + step[2]], unpack(args))
  end
end
return 1
