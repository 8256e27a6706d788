-- Creates a bot atomically: the name must be free and, for a writer, its reader must exist and be a
-- reader; the writer's consumer group on the reader's timeline is created in the same step.
-- KEYS: 1 bots set, 2 bot hash, 3 reader hash (writer) , 4 reader timeline (writer)
-- ARGV: 1 name, 2 reader name or '', 3.. field, value pairs
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return redis.error_reply('EXISTS')
end
if ARGV[2] ~= '' then
  local role = redis.call('HGET', KEYS[3], 'role')
  if not role then return redis.error_reply('NO_READER') end
  if role ~= 'reader' then return redis.error_reply('NOT_READER ' .. role) end
  redis.call('XGROUP', 'CREATE', KEYS[4], ARGV[1], '0', 'MKSTREAM')
end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SADD', KEYS[1], ARGV[1])
return 'OK'
