-- Moves a batch of `tfctl import`'s staged keys onto their names in the farm (RENAME keeps values and
-- TTLs, and replaces what was there). A key gone already (SCAN returned it twice) is skipped.
-- Each pair shares its hash tag, so each RENAME stays in one slot; the import groups a batch by slot, so
-- every key of one call is in one slot too.
-- KEYS: for key i, 2i-1 its staging name, 2i its name in the farm
-- Reply: how many keys were moved
local moved = 0
for i = 1, #KEYS / 2 do
  if redis.call('EXISTS', KEYS[2 * i - 1]) == 1 then
    redis.call('RENAME', KEYS[2 * i - 1], KEYS[2 * i])
    moved = moved + 1
  end
end
return moved
