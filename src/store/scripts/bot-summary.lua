#!lua flags=no-writes
-- What listings show of one bot (`tfctl list`, `tfctl stats`, `tfctl show`), from its own keys only (its
-- cluster slot): the summary fields, the work waiting behind it, and, for a source, the work waiting
-- behind each of its consumers (their groups on its stream). FarmStore's readOverview sends one call per
-- bot in one pipeline; a consumer's backlog is read from its source's reply. Tokens, secrets and
-- templates stay in Redis. The text is prefixed (readOverview) with what is the same for every call:
--   FIELDS    the hash fields to read, in order (SUMMARY_FIELDS: role and reader among them)
--   ROLE_AT   where role is in FIELDS
--   SPECS     each kind's backlog, {role: {of = how, key = suffix}} (BacklogSpec in bot-record.ts)
--   SOURCES   {role = true} for the source kinds
--   OWN       {suffix = index in KEYS} for the kinds' backlog keys
-- KEYS: 1 bot hash, 2 its stream (a source's), 3.. its own keys for each backlog suffix (OWN)
-- ARGV: 1 pause field prefix, or '' to leave pauses out
-- Reply: nil when the name has no bot (no hash with a role), else JSON [row, backlog, groups, pauses]:
--   row: FIELDS' values (false when unset); backlog: the size of what waits ("stream": the stream's length;
--   "llen", "zcard", "scard", "hlen": the size of its own key; else 0); groups: {consumer: lag + pending}
--   on a source's stream, or false; pauses: {endpoint: until}, or false
local row = redis.call('HMGET', KEYS[1], unpack(FIELDS))
local role = row[ROLE_AT]
if not role or role == '' then return nil end
local spec = SPECS[role]
local how = spec and spec.of or 'none'
local sizeOf = { stream = 'XLEN', llen = 'LLEN', zcard = 'ZCARD', scard = 'SCARD', hlen = 'HLEN' }
local backlog = 0
if how == 'stream' then
  backlog = redis.call('XLEN', KEYS[2])
elseif sizeOf[how] and spec.key and OWN[spec.key] then
  backlog = redis.call(sizeOf[how], KEYS[OWN[spec.key]])
end

local groups = false
if SOURCES[role] and redis.call('EXISTS', KEYS[2]) == 1 then
  groups = {}
  local at = nil
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[2])) do
    -- Every group in one reply lists the same fields in the same order: find where, once.
    if not at then
      at = {}
      for i = 1, #g, 2 do at[g[i]] = i + 1 end
    end
    local lag = at['lag'] and g[at['lag']]
    if type(lag) ~= 'number' then
      -- Redis cannot always tell the lag (after deletions): count the entries past the group's position.
      lag = #redis.call('XRANGE', KEYS[2], '(' .. g[at['last-delivered-id']], '+')
    end
    groups[g[at['name']]] = lag + g[at['pending']]
  end
end

-- A pause field is `<prefix><endpoint>`; a hash this small answers HSCAN in one call, a big one in a few.
local pauses = false
if ARGV[1] ~= '' then
  pauses = {}
  local cursor = '0'
  repeat
    local page = redis.call('HSCAN', KEYS[1], cursor, 'MATCH', ARGV[1] .. '*', 'COUNT', 100)
    cursor = page[1]
    for i = 1, #page[2], 2 do pauses[string.sub(page[2][i], #ARGV[1] + 1)] = tonumber(page[2][i + 1]) end
  until cursor == '0'
end
return cjson.encode({ row, backlog, groups, pauses })
