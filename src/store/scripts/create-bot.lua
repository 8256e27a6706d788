-- Writes a new bot's hash, atomically refusing a name that has one (the bot's slot only). The rest of a
-- create is in FarmStore.create: the name into the bots set and the due index first (the farm-wide
-- slot), a consumer's group on its source's stream (join-source.lua, the source's slot), then this.
-- KEYS: 1 bot hash
-- ARGV: 1.. field, value pairs
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('EXISTS') end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 'OK'
