#!lua flags=no-writes
-- What listings show (`tfctl list`, `tfctl stats`): for every bot, or the named ones, sorted by name, the
-- named hash fields and the work waiting behind it. Tokens, secrets and templates stay in Redis.
-- The fields are fetched by name (HMGET), so Redis picks them out, not this script. The reply is one JSON
-- document, which the client parses in one native call: each bot's values are a row of positions, one
-- shape for all, and what the script adds to them comes in columns beside the rows.
-- It reads keys it cannot declare in advance: on Redis Cluster this read needs a per-slot pipeline.
-- KEYS: 1 bots set
-- ARGV: 1 key prefix, 2 fields (comma-separated; role and reader among them), 3 pause field prefix, or
--       '' to leave pauses out, 4 each kind's backlog as JSON ({role: {"of": how, "key": suffix}}, see
--       BacklogSpec in src/store/bot-record.ts), 5.. names (none: every bot)
-- Reply: [names, rows of each field's value (false when unset), backlogs, pauses ({endpoint: until}
--        per bot) or false]
-- A bot's backlog is counted the way its kind declares: a source's stream length ("stream"), a consumer's
-- unprocessed entries on its source's stream (its group's lag plus what it holds pending, "group"), the
-- size of one of its own keys ("llen", "zcard", "scard", "hlen"), or nothing.
local prefix, pausePrefix = ARGV[1], ARGV[3]
local specs = cjson.decode(ARGV[4])
local fields, roleAt, sourceAt = {}, 0, 0
for f in string.gmatch(ARGV[2], '[^,]+') do
  fields[#fields + 1] = f
  if f == 'role' then roleAt = #fields elseif f == 'reader' then sourceAt = #fields end
end

local names = {}
if #ARGV > 4 then
  for i = 5, #ARGV do names[#names + 1] = ARGV[i] end
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
local listed, rows, pauses, streams = {}, {}, {}, {}
for _, name in ipairs(names) do
  local key = prefix .. ':bot:{' .. name .. '}'
  local row = redis.call('HMGET', key, unpack(fields))
  local role = row[roleAt]
  -- A bot is a hash with a role; a name in the set without one is skipped.
  if role and role ~= '' then
    local n = #listed + 1
    listed[n], rows[n] = name, row
    if pausePrefix ~= '' then pauses[n] = pausesOf(key) end
    local spec = specs[role]
    local stream = spec and (spec.of == 'stream' and name or spec.of == 'group' and row[sourceAt]) or nil
    if stream then streams[stream] = false end
  end
end

-- Each source stream's length and each of its groups' unprocessed count, read once per stream.
for source in pairs(streams) do
  local stream = prefix .. ':{' .. source .. '}:timeline'
  local groups = redis.call('EXISTS', stream) == 1 and redis.call('XINFO', 'GROUPS', stream) or {}
  local consumers, at = {}, nil
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
    consumers[g[at['name']]] = lag + g[at['pending']]
  end
  streams[source] = { length = redis.call('XLEN', stream), consumers = consumers }
end
local sizeOf = { llen = 'LLEN', zcard = 'ZCARD', scard = 'SCARD', hlen = 'HLEN' }
local backlogs = {}
for n, name in ipairs(listed) do
  local spec = specs[rows[n][roleAt]]
  local how = spec and spec.of or 'none'
  if how == 'stream' then
    backlogs[n] = streams[name].length
  elseif how == 'group' then
    local behind = rows[n][sourceAt] and streams[rows[n][sourceAt]]
    backlogs[n] = behind and behind.consumers[name] or 0
  elseif sizeOf[how] then
    backlogs[n] = redis.call(sizeOf[how], prefix .. ':{' .. name .. '}:' .. spec.key)
  else
    backlogs[n] = 0
  end
end

-- cjson writes an empty table as {}: an empty listing is spelled out.
if #listed == 0 then return '[[],[],[],' .. (pausePrefix ~= '' and '[]' or 'false') .. ']' end
return '[' .. cjson.encode(listed) .. ',' .. cjson.encode(rows) .. ',' .. cjson.encode(backlogs) .. ','
  .. (pausePrefix ~= '' and cjson.encode(pauses) or 'false') .. ']'
