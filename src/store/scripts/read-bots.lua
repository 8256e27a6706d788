#!lua flags=no-writes
-- Every bot's whole hash (or the named ones'), sorted by name: what a tick needs to run them. One call, one
-- JSON document, which the client parses in one native call where a reply of many small strings costs a
-- buffer and a conversion each. Listings read less: see list-bots.lua.
-- It reads keys it cannot declare in advance: on Redis Cluster this read needs a per-slot pipeline.
-- KEYS: 1 bots set; ARGV: 1 key prefix, 2.. names (none: every bot)
-- Reply: [{"name", "h": {field: value…}}…]
local prefix = ARGV[1]
local names = {}
if #ARGV > 1 then
  for i = 2, #ARGV do names[#names + 1] = ARGV[i] end
else
  names = redis.call('SMEMBERS', KEYS[1])
end
table.sort(names)
local rows = {}
for _, name in ipairs(names) do
  local flat = redis.call('HGETALL', prefix .. ':bot:{' .. name .. '}')
  if #flat > 0 then
    local h = {}
    for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
    rows[#rows + 1] = { name = name, h = h }
  end
end
-- cjson writes an empty table as {}: an empty list is spelled out.
return #rows > 0 and cjson.encode(rows) or '[]'
