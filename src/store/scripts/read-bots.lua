#!lua flags=no-writes
-- Every bot's hash (or the named ones): one JSON string {"name", "h": {field: value}} per bot. A thousand
-- short strings are far cheaper for a short-lived CLI to parse than a thousand HGETALL replies; they are
-- kept one per bot because one huge string makes the client's parser hold a timer for a second.
-- It reads keys it cannot declare in advance: on Redis Cluster this read needs a per-slot pipeline.
-- KEYS: 1 bots set; ARGV: 1 key prefix, 2.. names (none: every bot)
local names = {}
if #ARGV > 1 then
  for i = 2, #ARGV do names[#names + 1] = ARGV[i] end
else
  names = redis.call('SMEMBERS', KEYS[1])
end
local out = {}
for _, name in ipairs(names) do
  local flat = redis.call('HGETALL', ARGV[1] .. ':bot:{' .. name .. '}')
  if #flat > 0 then
    local h = {}
    for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
    out[#out + 1] = cjson.encode({ name = name, h = h })
  end
end
return out
