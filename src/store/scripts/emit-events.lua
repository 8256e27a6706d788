-- Events appended to the farm's stream in one step: the emits of one turn of the event loop (Events.emit
-- gathers them; a big tick's writers post, and each post is an event), in the order they were made.
-- KEYS: 1 the events stream
-- ARGV: 1 the cap (MAXLEN ~), then for each event: the number n of its field strings, then those n strings
-- Returns the new entries' ids, in order.
local ids, i = {}, 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, i + 1, i + n))
  i = i + 1 + n
end
return ids
