-- Removes a bot and every key it owns, atomically. A source that consumers still use is refused, with
-- their names. A consumer's group is removed from its source's stream.
-- KEYS: 1 bots set, 2 bot hash, 3.. the bot's other keys
-- ARGV: 1 name, 2 key prefix (to find the other bots' hashes and the source's stream), 3 source kinds
--       (comma-separated)
local role = redis.call('HGET', KEYS[2], 'role')
if not role then return redis.error_reply('NOT_FOUND') end
local prefix = ARGV[2]
if string.find(',' .. ARGV[3] .. ',', ',' .. role .. ',', 1, true) then
  local users = {}
  for _, other in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if other ~= ARGV[1] and redis.call('HGET', prefix .. ':bot:{' .. other .. '}', 'reader') == ARGV[1] then
      users[#users + 1] = other
    end
  end
  if #users > 0 then
    table.sort(users)
    return redis.error_reply('IN_USE ' .. role .. ' ' .. table.concat(users, ','))
  end
end
-- The field that names a consumer's source is `reader` (see F.source in src/store/bot-record.ts).
local source = redis.call('HGET', KEYS[2], 'reader')
if source then
  local stream = prefix .. ':{' .. source .. '}:timeline'
  if redis.call('EXISTS', stream) == 1 then pcall(redis.call, 'XGROUP', 'DESTROY', stream, ARGV[1]) end
end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', unpack(KEYS, 2))
return 'OK'
