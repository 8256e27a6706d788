-- Removes a bot's keys atomically (the bot's slot only). A source's consumers each have a group on its
-- stream: FarmStore.destroy reads which consumers use it before, and passes the groups it found there;
-- a group that appeared since is a consumer made meanwhile, and the source is kept (CHANGED). The name
-- leaves the bots set and the due index after this, and a consumer's group its source's stream.
-- KEYS: 1 bot hash, 2 its stream (a source's; may not exist), 3.. the bot's other keys
-- ARGV: 1 source kinds (comma-separated), 2.. the groups expected on the stream
-- Reply: the bot's source (the field `reader`, see F.source in src/store/bot-record.ts), or ''
local role = redis.call('HGET', KEYS[1], 'role')
if not role then return redis.error_reply('NOT_FOUND') end
if string.find(',' .. ARGV[1] .. ',', ',' .. role .. ',', 1, true) and redis.call('EXISTS', KEYS[2]) == 1 then
  local expected = {}
  for i = 2, #ARGV do expected[ARGV[i]] = true end
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[2])) do
    for j = 1, #g, 2 do
      if g[j] == 'name' and not expected[g[j + 1]] then return redis.error_reply('CHANGED') end
    end
  end
end
local source = redis.call('HGET', KEYS[1], 'reader') or ''
redis.call('DEL', unpack(KEYS))
return source
