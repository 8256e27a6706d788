#!lua flags=no-writes
-- What listings show (`tfctl list`, `tfctl stats`): for every bot, or the named ones, sorted by name, the
-- named hash fields and the work waiting behind it. Tokens, secrets and templates stay in Redis.
-- The fields are fetched by name (HMGET), so Redis picks them out, not this script. The reply is one JSON
-- document, which the client parses in one native call; each bot is a row of positions, one shape for all.
-- It reads keys it cannot declare in advance: on Redis Cluster this read needs a per-slot pipeline.
-- KEYS: 1 bots set
-- ARGV: 1 key prefix, 2 fields (comma-separated; role and reader among them), 3 pause field prefix, or
--       '' to leave pauses out, 4.. names (none: every bot)
-- Reply: [[name, backlog, {endpoint: until…} or false, each field's value or false…]…]
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
local function pauses(key)
  local found, cursor = {}, '0'
  repeat
    local page = redis.call('HSCAN', key, cursor, 'MATCH', pausePrefix .. '*', 'COUNT', 100)
    cursor = page[1]
    for i = 1, #page[2], 2 do found[string.sub(page[2][i], #pausePrefix + 1)] = tonumber(page[2][i + 1]) end
  until cursor == '0'
  return found
end

local rows, readers = {}, {}
for _, name in ipairs(names) do
  local key = prefix .. ':bot:{' .. name .. '}'
  local row = redis.call('HMGET', key, unpack(fields))
  local role = row[roleAt]
  -- A bot is a hash with a role; a name in the set without one is skipped.
  if role and role ~= '' then
    local reader = role == 'reader' and name or row[readerAt]
    if reader then readers[reader] = false end
    table.insert(row, 1, pausePrefix ~= '' and pauses(key) or false)
    table.insert(row, 1, 0)
    table.insert(row, 1, name)
    rows[#rows + 1] = row
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
for _, row in ipairs(rows) do
  local name, role = row[1], row[3 + roleAt]
  local backlog = readers[role == 'reader' and name or row[3 + readerAt]]
  if backlog then
    if role == 'reader' then row[2] = backlog.cached else row[2] = backlog.writers[name] or 0 end
  end
end

-- cjson writes an empty table as {}: an empty list is spelled out.
return #rows > 0 and cjson.encode(rows) or '[]'
