-- The takes of many writers of one source in one step (the takes a tick makes in one turn, gathered by
-- Timeline.take): each writer's next entries, first those delivered to it before and never acknowledged
-- (a failed tick), then new ones; entries trimmed away after delivery are acknowledged and skipped. A
-- missing group (the stream was deleted and recreated) starts again from the oldest entry, unless the take
-- says 'keep' (issued before the bot's lock was won and its hash read, it must not recreate a group the bot
-- may have left): that take answers its NOGROUP error, and the others go on. Every entry is sent once,
-- however many writers take it.
-- KEYS: 1 the source's stream
-- ARGV: for each take in turn: the writer (group and consumer), the count, 'keep' or ''
-- Returns { entries (each { id, fields } once), answers (one per take, in order: its entry ids, or its error) }.
local key = KEYS[1]
local seen, entries, answers = {}, {}, {}
local function read(group, from, count, keep, out)
  local ok, reply = pcall(redis.call, 'XREADGROUP', 'GROUP', group, group, 'COUNT', count, 'STREAMS', key, from)
  if not ok then
    local err = tostring(reply.err or reply)
    if not (string.find(err, 'NOGROUP') and not keep) then return err end
    redis.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
    reply = redis.call('XREADGROUP', 'GROUP', group, group, 'COUNT', count, 'STREAMS', key, from)
  end
  if not reply then return nil end
  for _, entry in ipairs(reply[1][2]) do
    if entry[2] then
      out[#out + 1] = entry[1]
      if not seen[entry[1]] then
        seen[entry[1]] = true
        entries[#entries + 1] = entry
      end
    else
      redis.call('XACK', key, group, entry[1])
    end
  end
  return nil
end
for i = 1, #ARGV, 3 do
  local group, want, keep = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2] == 'keep'
  local out = {}
  local err = read(group, '0', want, keep, out)
  if not err and #out < want then err = read(group, '>', want - #out, keep, out) end
  answers[#answers + 1] = err or out
end
return { entries, answers }
