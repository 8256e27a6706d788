-- A writer's next entries in one round trip: first those delivered to it before and never acknowledged
-- (a failed tick), then new ones. Entries trimmed away after delivery are acknowledged and skipped.
-- A missing group (the stream was deleted and recreated) starts again from the oldest entry, unless
-- ARGV 3 is 'keep': a take issued before the bot's lock was won and its hash read (the writer takes
-- together with its lock) must not recreate a group the bot may have left; it answers NOGROUP instead.
-- KEYS: 1 the reader's timeline; ARGV: 1 the writer (group and consumer), 2 count, 3 'keep' or absent
local key, group, want = KEYS[1], ARGV[1], tonumber(ARGV[2])
local out = {}
local function read(from, count)
  local ok, reply = pcall(redis.call, 'XREADGROUP', 'GROUP', group, group, 'COUNT', count, 'STREAMS', key, from)
  if not ok then
    local err = tostring(reply.err or reply)
    if string.find(err, 'NOGROUP') and ARGV[3] ~= 'keep' then
      redis.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
      reply = redis.call('XREADGROUP', 'GROUP', group, group, 'COUNT', count, 'STREAMS', key, from)
    else
      error(redis.error_reply(err))
    end
  end
  if not reply then return end
  for _, entry in ipairs(reply[1][2]) do
    if entry[2] then out[#out + 1] = entry else redis.call('XACK', key, group, entry[1]) end
  end
end
read('0', want)
if #out < want then read('>', want - #out) end
return out
