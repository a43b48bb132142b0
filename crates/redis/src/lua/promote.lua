-- Moves retries whose back-off is over back onto the stream, at most 100 per call so that
-- one call never blocks Redis for long.
-- KEYS[1]: the retries; KEYS[2]: the stream. ARGV[1]: the prefix of job hashes (the ids
-- are only known once read here).
-- Returns how many retries were due.

-- Server time in milliseconds: Redis's clock, one for every machine.
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'state') == 'delayed' then
    redis.call('HSET', key, 'state', 'waiting', 'entry', redis.call('XADD', KEYS[2], '*', 'id', id))
  end
end
return #due
