#!lua flags=no-writes
-- What listings show (`tfctl list`, `tfctl stats`): for every bot, or the named ones, sorted by name, a
-- few hash fields and the work waiting behind it. Tokens, secrets and templates stay in Redis.
-- The reply is one JSON document, which the client parses in one native call. Each bot is a row of
-- positions, not an object of fields: half the text, and one shape for every bot.
-- It reads keys it cannot declare in advance: on Redis Cluster this read needs a per-slot pipeline.
-- KEYS: 1 bots set
-- ARGV: 1 key prefix, 2 fields (comma-separated), 3 field prefixes (comma-separated), 4.. names (none: all)
-- Reply: [[name, backlog, each field's value or false, then for each prefix {rest of name: number}]...]
-- The backlog is a reader's cached tweets, or a writer's unprocessed ones (its group's lag plus what it
-- holds pending).
local prefix = ARGV[1]
local fields, prefixes = {}, {}
for f in string.gmatch(ARGV[2], '[^,]+') do fields[#fields + 1] = f end
for p in string.gmatch(ARGV[3], '[^,]+') do prefixes[#prefixes + 1] = p end
local width = 2 + #fields

-- Where each hash field goes in a row: a position, or a prefix's table and the key within it, or nowhere.
-- Decided once per field name, since every bot has much the same few.
local slot = {}
for i, f in ipairs(fields) do slot[f] = 2 + i end
local under, key = {}, {}
setmetatable(slot, { __index = function(memo, f)
  memo[f] = false
  for i, p in ipairs(prefixes) do
    if string.sub(f, 1, #p) == p then
      under[f], key[f] = width + i, string.sub(f, #p + 1)
      break
    end
  end
  return false
end })

local names = {}
if #ARGV > 3 then
  for i = 4, #ARGV do names[#names + 1] = ARGV[i] end
else
  names = redis.call('SMEMBERS', KEYS[1])
end
table.sort(names)

local rows, roles, readerOf, readers = {}, {}, {}, {}
for _, name in ipairs(names) do
  local flat = redis.call('HGETALL', prefix .. ':bot:{' .. name .. '}')
  if #flat > 0 then
    local row = { name, 0 }
    for i = 3, width do row[i] = false end
    for i = 1, #prefixes do row[width + i] = {} end
    local role, reader
    for i = 1, #flat, 2 do
      local f, v = flat[i], flat[i + 1]
      local at = slot[f]
      if at then
        row[at] = v
      elseif under[f] then
        row[under[f]][key[f]] = tonumber(v)
      end
      -- The backlog depends on these two, whatever fields were asked for.
      if f == 'role' then role = v elseif f == 'reader' then reader = v end
    end
    rows[#rows + 1] = row
    roles[#rows] = role
    if role == 'reader' then reader = name end
    if reader then
      readerOf[#rows] = reader
      readers[reader] = false
    end
  end
end

-- Each reader's cache length and each of its groups' unprocessed count, read once per reader.
for reader in pairs(readers) do
  local stream = prefix .. ':{' .. reader .. '}:timeline'
  local groups = redis.call('EXISTS', stream) == 1 and redis.call('XINFO', 'GROUPS', stream) or {}
  local writers = {}
  for _, g in ipairs(groups) do
    local info = {}
    for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
    local lag = info['lag']
    if type(lag) ~= 'number' then
      -- Redis cannot always tell the lag (after deletions): count the entries past the group's position.
      lag = #redis.call('XRANGE', stream, '(' .. info['last-delivered-id'], '+')
    end
    writers[info['name']] = lag + info['pending']
  end
  readers[reader] = { cached = redis.call('XLEN', stream), writers = writers }
end
for i, row in ipairs(rows) do
  local backlog = readerOf[i] and readers[readerOf[i]]
  if backlog then
    if roles[i] == 'reader' then row[2] = backlog.cached else row[2] = backlog.writers[row[1]] or 0 end
  end
end

-- cjson writes an empty table as {}: an empty list is spelled out.
return #rows > 0 and cjson.encode(rows) or '[]'
