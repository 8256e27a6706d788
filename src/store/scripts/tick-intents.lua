-- A writer's choice of texts and their intents, in one step in its slot: of the candidates (in the order
-- the writer prefers them), those posted before or with an intent open already are left out; of the rest,
-- up to `budget` are chosen, first one per source entry, then any, and their intents are written.
-- KEYS: 1 the posted set, 2 the intents hash
-- ARGV: 1 budget, then per candidate three values: text hash, source entry, intent JSON
-- Returns { chosen candidates' positions (1-based, in order), the other fresh ones' positions }.
local budget = tonumber(ARGV[1])
local hashes = {}
for i = 2, #ARGV, 3 do hashes[#hashes + 1] = ARGV[i] end
if #hashes == 0 then return { {}, {} } end
local posted = redis.call('SMISMEMBER', KEYS[1], unpack(hashes))
local open = redis.call('HMGET', KEYS[2], unpack(hashes))
local fresh = {}
for n = 1, #hashes do
  if posted[n] == 0 and not open[n] then fresh[#fresh + 1] = n end
end
local chosen, taken, entries = {}, {}, {}
for _, n in ipairs(fresh) do
  local entry = ARGV[(n - 1) * 3 + 3]
  if #chosen < budget and not entries[entry] then
    chosen[#chosen + 1] = n
    taken[n] = true
    entries[entry] = true
  end
end
for _, n in ipairs(fresh) do
  if #chosen < budget and not taken[n] then
    chosen[#chosen + 1] = n
    taken[n] = true
  end
end
local rest = {}
for _, n in ipairs(fresh) do
  if not taken[n] then rest[#rest + 1] = n end
end
for _, n in ipairs(chosen) do
  redis.call('HSET', KEYS[2], ARGV[(n - 1) * 3 + 2], ARGV[(n - 1) * 3 + 4])
end
return { chosen, rest }
