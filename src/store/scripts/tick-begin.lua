-- The start of a bot's tick, in the bot's slot: its lock is taken (SET NX PX with this run's token) and,
-- only if it was won, the bot's hash, its open intents and the kind's own hashes the tick needs are read
-- in the same step, so they are fresh: no other run can tick the bot after this read.
-- KEYS: 1 the bot's lock, 2 the bot's hash, 3 its intents hash, 4… hashes of the kind's own (Keys.own)
-- ARGV: 1 this run's token, 2 the lock's TTL in ms
-- Returns nil when another run holds the lock, else { bot hash (flat), intent JSONs, own hash (flat)… }.
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
local out = { redis.call('HGETALL', KEYS[2]), redis.call('HVALS', KEYS[3]) }
for i = 4, #KEYS do out[#out + 1] = redis.call('HGETALL', KEYS[i]) end
return out
