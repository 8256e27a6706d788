-- Makes a consumer's group on its source's stream, atomically checking the source is of a source kind
-- (the source's slot only: its hash and its stream). A group that is there already is left as it is: a
-- create cut short before the consumer's hash was written, run again.
-- KEYS: 1 source hash, 2 source stream
-- ARGV: 1 consumer name (its group), 2 source kinds (comma-separated)
-- Reply: 'OK' when the group was made, 'HAD' when it was there
local role = redis.call('HGET', KEYS[1], 'role')
if not role then return redis.error_reply('NO_SOURCE') end
if not string.find(',' .. ARGV[2] .. ',', ',' .. role .. ',', 1, true) then return redis.error_reply('NOT_SOURCE ' .. role) end
local ok, err = pcall(redis.call, 'XGROUP', 'CREATE', KEYS[2], ARGV[1], '0', 'MKSTREAM')
if ok then return 'OK' end
if string.find(tostring(err.err or err), 'BUSYGROUP', 1, true) then return 'HAD' end
return redis.error_reply(tostring(err.err or err))
