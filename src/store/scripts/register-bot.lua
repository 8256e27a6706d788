-- A new bot's name joins the farm, in the farm-wide slot: the set of bots and, unless it is paused, the due
-- index (LT: a name left there by a destroy cut short may hold a later time; a new bot is due now). A farm
-- that had no bots and no index yet gets its index marked built (DueIndex's marker: member '' at -inf):
-- every bot it will ever have is indexed as it is made, so its first tick reads no bot it need not.
-- KEYS: 1 the set of bots, 2 the due index
-- ARGV: 1 the name, 2 when it is due (epoch ms), or '' when it is paused
local fresh = redis.call('SCARD', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0
redis.call('SADD', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], 'LT', ARGV[2], ARGV[1]) end
if fresh then redis.call('ZADD', KEYS[2], '-inf', '') end
return fresh and 1 or 0
