-- Acknowledgements of many consumer groups of one stream in one step: the end steps a tick sends in one
-- turn send theirs together (EndBatch in store/tick-steps.ts). Each group's XACK stands alone: an error
-- answers that group's bot only.
-- KEYS: 1 the stream
-- ARGV: for each group in turn: its name, the number n of its entries, then the n entry ids
-- Returns one answer per group, in order: the number of entries acknowledged, or the error's text.
local out, i = {}, 1
while i <= #ARGV do
  local n = tonumber(ARGV[i + 1])
  local ok, acked = pcall(redis.call, 'XACK', KEYS[1], ARGV[i], unpack(ARGV, i + 2, i + 1 + n))
  out[#out + 1] = ok and acked or tostring(acked.err or acked)
  i = i + 2 + n
end
return out
