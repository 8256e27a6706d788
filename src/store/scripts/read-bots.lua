#!lua flags=no-writes
-- Every bot's hash (or the named ones), sorted by name, and, when asked, the backlog behind them: for
-- each reader of those bots, its cache length and each writer's unprocessed count (its group's lag plus
-- what it holds pending). One call answers `tfctl list`, as one JSON document: the client parses it in
-- one native call, where a reply of many small strings costs a buffer and a conversion each.
-- It reads keys it cannot declare in advance: on Redis Cluster this read needs a per-slot pipeline.
-- KEYS: 1 bots set; ARGV: 1 key prefix, 2 mode, 3 summary fields, 4.. names (none: every bot)
-- Modes: 'all' (whole hashes), 'detail' (whole hashes and backlogs), 'overview' (backlogs, and of each
-- hash only the summary fields: comma-separated names, where a trailing * makes a prefix. Tokens,
-- secrets and templates stay in Redis, and a listing parses less than half the text.)
-- Reply: {"bots": [{"name", "h": {field: value…}}…], "backlogs": {reader: {"cached", "writers": {writer: unprocessed…}}…}}
local prefix, mode = ARGV[1], ARGV[2]
local withBacklogs = mode ~= 'all'
-- In overview mode, whether a field is shown, decided once per field name (every bot has much the same
-- few); in the others, every field is.
local shown
if mode == 'overview' then
  local fields, prefixes = {}, {}
  for f in string.gmatch(ARGV[3], '[^,]+') do
    if string.sub(f, -1) == '*' then prefixes[#prefixes + 1] = string.sub(f, 1, -2) else fields[f] = true end
  end
  shown = setmetatable({}, { __index = function(memo, f)
    local yes = fields[f] == true
    for _, p in ipairs(prefixes) do yes = yes or string.sub(f, 1, #p) == p end
    memo[f] = yes
    return yes
  end })
end
local names = {}
if #ARGV > 3 then
  for i = 4, #ARGV do names[#names + 1] = ARGV[i] end
else
  names = redis.call('SMEMBERS', KEYS[1])
end
table.sort(names)
local rows, readers, seen = {}, {}, {}
for _, name in ipairs(names) do
  local flat = redis.call('HGETALL', prefix .. ':bot:{' .. name .. '}')
  if #flat > 0 then
    local h = {}
    for i = 1, #flat, 2 do
      if not shown or shown[flat[i]] then h[flat[i]] = flat[i + 1] end
    end
    rows[#rows + 1] = { name = name, h = h }
    local reader = h['role'] == 'reader' and name or h['reader']
    if reader and not seen[reader] then
      seen[reader] = true
      readers[#readers + 1] = reader
    end
  end
end
local backlogs = {}
if withBacklogs then
  for _, reader in ipairs(readers) do
    local key = prefix .. ':{' .. reader .. '}:timeline'
    local groups = redis.call('EXISTS', key) == 1 and redis.call('XINFO', 'GROUPS', key) or {}
    local writers = {}
    for _, g in ipairs(groups) do
      local info = {}
      for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
      local lag = info['lag']
      if type(lag) ~= 'number' then
        -- Redis cannot always tell the lag (after deletions): count the entries past the group's position.
        lag = #redis.call('XRANGE', key, '(' .. info['last-delivered-id'], '+')
      end
      writers[info['name']] = lag + info['pending']
    end
    backlogs[reader] = { cached = redis.call('XLEN', key), writers = writers }
  end
end
-- cjson writes an empty table as {}: an empty list of bots is spelled out.
return '{"bots":' .. (#rows > 0 and cjson.encode(rows) or '[]') .. ',"backlogs":' .. cjson.encode(backlogs) .. '}'
