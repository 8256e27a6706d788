-- A collector appends what it found: each tweet once (a tweet two queries return, or that the stream and a
-- gap-filling search both bring, is appended the first time only), counts each matched rule in the current
-- minute, moves its since ids and forgets seen ids older than the search window: one atomic step, so a crash
-- neither loses nor doubles a tweet.
-- KEYS: 1 its stream, 2 seen (zset id → epoch ms), 3 rule hits (hash "<rule>:<minute>" → n), 4 since ids (hash rule → id)
-- ARGV: 1 now (epoch ms), 2 forget seen before (epoch ms), 3 hits older than this minute are dropped,
--       4 number of since pairs, then rule/id pairs, then per tweet: id, rule ids ("1,3"), n fields, fields…
-- Reply: the number of tweets appended.
local stream, seen, hits, since = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, forget, oldest = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local minute = math.floor(now / 60000)
local i = 5
for _ = 1, tonumber(ARGV[4]) do
  redis.call('HSET', since, ARGV[i], ARGV[i + 1])
  i = i + 2
end
local added = 0
while i <= #ARGV do
  local id, rules, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local fields = {}
  for k = 1, n do fields[k] = ARGV[i + 2 + k] end
  i = i + 3 + n
  if redis.call('ZADD', seen, 'NX', now, id) == 1 then
    redis.call('XADD', stream, '*', unpack(fields))
    for rule in string.gmatch(rules, '[^,]+') do redis.call('HINCRBY', hits, rule .. ':' .. minute, 1) end
    added = added + 1
  end
end
redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. forget)
for _, field in ipairs(redis.call('HKEYS', hits)) do
  local m = tonumber(string.match(field, ':(%d+)$'))
  if m and m < oldest then redis.call('HDEL', hits, field) end
end
return added
