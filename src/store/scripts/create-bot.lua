-- Creates a bot atomically: the name must be free and, for a consumer, its source must exist and be of
-- a source kind; the consumer's group on the source's stream is created in the same step.
-- KEYS: 1 bots set, 2 bot hash, 3 source hash (consumer), 4 source stream (consumer)
-- ARGV: 1 name, 2 source name or '', 3 source kinds (comma-separated), 4.. field, value pairs
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return redis.error_reply('EXISTS')
end
if ARGV[2] ~= '' then
  local role = redis.call('HGET', KEYS[3], 'role')
  if not role then return redis.error_reply('NO_SOURCE') end
  if not string.find(',' .. ARGV[3] .. ',', ',' .. role .. ',', 1, true) then return redis.error_reply('NOT_SOURCE ' .. role) end
  redis.call('XGROUP', 'CREATE', KEYS[4], ARGV[1], '0', 'MKSTREAM')
end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SADD', KEYS[1], ARGV[1])
return 'OK'
