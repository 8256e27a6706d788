-- Emits an event only when a state of a bot changes, so a bot failing on every tick is one `failed`, and
-- `recovered` follows only a failure. 'enter' sets the flag and emits if it was not set; 'leave' clears
-- it and emits if it was set. Returns the new entry's id, or nil when nothing changed.
-- KEYS: 1 the events' state hash, 2 the events stream
-- ARGV: 1 'enter' or 'leave', 2 the flag (a field of the hash, e.g. failed:<bot>), 3 its value (enter),
--       4 the stream's cap, 5 'emit' or 'quiet' (leave without an event), 6.. the event's field, value pairs
local changed
if ARGV[1] == 'enter' then
  changed = redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3])
else
  changed = redis.call('HDEL', KEYS[1], ARGV[2])
end
if changed == 0 or ARGV[5] ~= 'emit' then return false end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
