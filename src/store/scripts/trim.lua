-- A source's stream trimmed in one step: entries every consumer has processed go (everything older than
-- the oldest entry any group still needs: its oldest pending entry, or the one after its last delivered),
-- then the stream is capped at about `cap` entries.
-- KEYS: 1 the source's stream; ARGV: 1 cap
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local function after(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  -- The sequence may pass 2^53 only in theory; string arithmetic is not worth it for a trim bound.
  return ms .. '-' .. string.format('%.0f', tonumber(seq) + 1)
end
local function older(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if #am ~= #bm then return #am < #bm end
  if am ~= bm then return am < bm end
  if #as ~= #bs then return #as < #bs end
  return as < bs
end
local min
for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
  local name, last
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
  end
  local summary = redis.call('XPENDING', key, name)
  local needed
  if summary[1] > 0 and summary[2] then needed = summary[2] else needed = after(last) end
  if not min or older(needed, min) then min = needed end
end
if min then redis.call('XTRIM', key, 'MINID', min) end
redis.call('XTRIM', key, 'MAXLEN', '~', tonumber(ARGV[1]))
return 1
