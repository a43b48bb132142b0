-- One request against a rate limit (GCRA: `burst` requests at once, then one per
-- `interval`), atomically and on the server's clock so that every API process counts
-- against the same limit.
-- KEYS[1]: the client's key. ARGV[1]: ms between two requests at the steady rate;
-- ARGV[2]: the burst.
-- Returns 0 when the request is allowed (and counts it), else the ms to wait. The stored
-- value is the "theoretical arrival time" of the next request.

-- Server time in milliseconds, with its fraction: intervals need not be whole ms.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allowed_at = tat + interval - burst * interval
if now < allowed_at then return math.ceil(allowed_at - now) end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', math.ceil(next_tat - now) + 1000)
return 0
