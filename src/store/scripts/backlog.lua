#!lua flags=no-writes
-- A reader's cache length and, for each writer (consumer group), how many entries it has not processed:
-- its lag plus what it holds pending: {cached, "w1", n1, "w2", n2, …}.
-- KEYS: 1 the reader's timeline
if redis.call('EXISTS', KEYS[1]) == 0 then return { 0 } end
local out = { redis.call('XLEN', KEYS[1]) }
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local lag = info['lag']
  if type(lag) ~= 'number' then
    -- Redis cannot always tell the lag (after deletions): count the entries past the group's position.
    lag = #redis.call('XRANGE', KEYS[1], '(' .. info['last-delivered-id'], '+')
  end
  out[#out + 1] = info['name']
  out[#out + 1] = lag + info['pending']
end
return out
