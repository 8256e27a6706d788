#!lua flags=no-writes
-- What listings show (`tfctl list`, `tfctl stats`): for every bot, or the named ones, sorted by name, the
-- named hash fields and the work waiting behind it. Tokens, secrets and templates stay in Redis.
-- The fields are fetched by name (HMGET), so Redis picks them out, not this script. The reply is one JSON
-- document, which the client parses in one native call: each bot's values are a row of positions, one
-- shape for all, and what the script adds to them comes in columns beside the rows.
-- It reads keys it cannot declare in advance: on Redis Cluster this read needs a per-slot pipeline.
-- KEYS: 1 bots set
-- ARGV: 1 key prefix, 2 fields (comma-separated; role and reader among them), 3 pause field prefix, or
--       '' to leave pauses out, 4.. names (none: every bot)
-- Reply: [names, rows of each field's value (false when unset), backlogs, pauses ({endpoint: until}
--        per bot) or false]
-- The backlog is a reader's cached tweets, or a writer's unprocessed ones (its group's lag plus what it
-- holds pending).
local prefix, pausePrefix = ARGV[1], ARGV[3]
local fields, roleAt, readerAt = {}, 0, 0
for f in string.gmatch(ARGV[2], '[^,]+') do
  fields[#fields + 1] = f
  if f == 'role' then roleAt = #fields elseif f == 'reader' then readerAt = #fields end
end

local names = {}
if #ARGV > 3 then
  for i = 4, #ARGV do names[#names + 1] = ARGV[i] end
else
  names = redis.call('SMEMBERS', KEYS[1])
end
table.sort(names)

-- A pause field is `<prefix><endpoint>`; a hash this small answers HSCAN in one call, a big one in a few.
local function pausesOf(key)
  local found, cursor = {}, '0'
  repeat
    local page = redis.call('HSCAN', key, cursor, 'MATCH', pausePrefix .. '*', 'COUNT', 100)
    cursor = page[1]
    for i = 1, #page[2], 2 do found[string.sub(page[2][i], #pausePrefix + 1)] = tonumber(page[2][i + 1]) end
  until cursor == '0'
  return found
end

-- Rows are HMGET's own replies, left as they come: a value added to each would grow a thousand tables.
local listed, rows, pauses, readers = {}, {}, {}, {}
for _, name in ipairs(names) do
  local key = prefix .. ':bot:{' .. name .. '}'
  local row = redis.call('HMGET', key, unpack(fields))
  local role = row[roleAt]
  -- A bot is a hash with a role; a name in the set without one is skipped.
  if role and role ~= '' then
    local n = #listed + 1
    listed[n], rows[n] = name, row
    if pausePrefix ~= '' then pauses[n] = pausesOf(key) end
    local reader = role == 'reader' and name or row[readerAt]
    if reader then readers[reader] = false end
  end
end

-- Each reader's cache length and each of its groups' unprocessed count, read once per reader.
for reader in pairs(readers) do
  local stream = prefix .. ':{' .. reader .. '}:timeline'
  local groups = redis.call('EXISTS', stream) == 1 and redis.call('XINFO', 'GROUPS', stream) or {}
  local writers, at = {}, nil
  for _, g in ipairs(groups) do
    -- Every group in one reply lists the same fields in the same order: find where, once.
    if not at then
      at = {}
      for i = 1, #g, 2 do at[g[i]] = i + 1 end
    end
    local lag = at['lag'] and g[at['lag']]
    if type(lag) ~= 'number' then
      -- Redis cannot always tell the lag (after deletions): count the entries past the group's position.
      lag = #redis.call('XRANGE', stream, '(' .. g[at['last-delivered-id']], '+')
    end
    writers[g[at['name']]] = lag + g[at['pending']]
  end
  readers[reader] = { cached = redis.call('XLEN', stream), writers = writers }
end
local backlogs = {}
for n, name in ipairs(listed) do
  local role = rows[n][roleAt]
  local behind = readers[role == 'reader' and name or rows[n][readerAt]]
  backlogs[n] = not behind and 0 or role == 'reader' and behind.cached or behind.writers[name] or 0
end

-- cjson writes an empty table as {}: an empty listing is spelled out.
if #listed == 0 then return '[[],[],[],' .. (pausePrefix ~= '' and '[]' or 'false') .. ']' end
return '[' .. cjson.encode(listed) .. ',' .. cjson.encode(rows) .. ',' .. cjson.encode(backlogs) .. ','
  .. (pausePrefix ~= '' and cjson.encode(pauses) or 'false') .. ']'
