-- Renews a lease until now + ARGV[4] ms, and keeps the entry's idle time low so that the
-- safety net for never-claimed entries (XAUTOCLAIM) leaves it alone.
-- KEYS[1]: the stream; KEYS[2]: the job's hash; KEYS[3]: the lease deadlines.
-- ARGV[1]: the lease token; ARGV[2]: the consumer group; ARGV[3]: this consumer;
-- ARGV[4]: the lease in ms; ARGV[5]: the job id.
-- Returns 1 while the lease is still this token's, else 0.

-- Server time in milliseconds: Redis's clock, one for every machine.
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('HGET', KEYS[2], 'token') ~= ARGV[1] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[2], ARGV[3], 0, redis.call('HGET', KEYS[2], 'entry'), 'JUSTID')
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[5])
return 1
