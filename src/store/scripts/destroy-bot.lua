-- Removes a bot and every key it owns, atomically. A reader that writers still use is refused, with
-- their names. A writer's consumer group is removed from its reader's timeline.
-- KEYS: 1 bots set, 2 bot hash, 3.. the bot's other keys
-- ARGV: 1 name, 2 key prefix (to find the other bots' hashes and the reader's timeline)
local role = redis.call('HGET', KEYS[2], 'role')
if not role then return redis.error_reply('NOT_FOUND') end
local prefix = ARGV[2]
if role == 'reader' then
  local users = {}
  for _, other in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if other ~= ARGV[1] and redis.call('HGET', prefix .. ':bot:{' .. other .. '}', 'reader') == ARGV[1] then
      users[#users + 1] = other
    end
  end
  if #users > 0 then
    table.sort(users)
    return redis.error_reply('IN_USE ' .. table.concat(users, ','))
  end
else
  local reader = redis.call('HGET', KEYS[2], 'reader')
  if reader then
    local timeline = prefix .. ':{' .. reader .. '}:timeline'
    if redis.call('EXISTS', timeline) == 1 then pcall(redis.call, 'XGROUP', 'DESTROY', timeline, ARGV[1]) end
  end
end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', unpack(KEYS, 2))
return 'OK'
