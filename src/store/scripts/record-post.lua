-- The bookkeeping after a post, in one step: the text is marked posted, the post is recorded
-- (recent posts, capped), its intent is cleared, and the counters move.
-- KEYS: 1 posted set, 2 posts list, 3 intents hash, 4 bot hash, 5 hourly hash
-- ARGV: 1 text hash, 2 post JSON ('' for a duplicate: nothing to record), 3 posts cap, 4 hour field, 5 counter name
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('LPUSH', KEYS[2], ARGV[2])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
  redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
end
redis.call('HINCRBY', KEYS[4], 'n_' .. ARGV[5], 1)
return 1
