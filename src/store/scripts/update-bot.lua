-- Changes a bot's settings atomically (the bot's slot only). Empty values delete the field. A consumer
-- moving to another source has its group made there first (join-source.lua) and its old group removed
-- after this (FarmStore.update).
-- KEYS: 1 bot hash
-- ARGV: 1 expected role, 2.. field, value pairs
local role = redis.call('HGET', KEYS[1], 'role')
if not role then return redis.error_reply('NOT_FOUND') end
if role ~= ARGV[1] then return redis.error_reply('CHANGED') end
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 'OK'
