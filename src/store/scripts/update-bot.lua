-- Changes a bot's settings atomically. Empty values delete the field. When a consumer moves to another
-- source, its consumer group moves with it (from the new source's oldest entry).
-- KEYS: 1 bot hash, 2 new source hash, 3 new source stream, 4 old source stream (the last three may repeat KEYS[1])
-- ARGV: 1 name, 2 expected role, 3 new source or '', 4 source kinds (comma-separated), 5.. field, value pairs
local role = redis.call('HGET', KEYS[1], 'role')
if not role then return redis.error_reply('NOT_FOUND') end
if role ~= ARGV[2] then return redis.error_reply('CHANGED') end
if ARGV[3] ~= '' then
  local newRole = redis.call('HGET', KEYS[2], 'role')
  if not newRole then return redis.error_reply('NO_SOURCE') end
  if not string.find(',' .. ARGV[4] .. ',', ',' .. newRole .. ',', 1, true) then return redis.error_reply('NOT_SOURCE ' .. newRole) end
  if KEYS[4] ~= KEYS[3] then
    if redis.call('EXISTS', KEYS[4]) == 1 then
      pcall(redis.call, 'XGROUP', 'DESTROY', KEYS[4], ARGV[1])
    end
    redis.call('XGROUP', 'CREATE', KEYS[3], ARGV[1], '0', 'MKSTREAM')
  end
end
for i = 5, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 'OK'
