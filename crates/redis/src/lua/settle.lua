-- Ends a lease: `ack`, `retry` (after ARGV[4] ms), `release` (back of the line, the
-- attempt given back) or `dead` (ARGV[4] is the reason). One script, so that no crash
-- leaves a job half-moved.
-- KEYS[1]: the stream; KEYS[2]: the job's hash; KEYS[3]: the retries; KEYS[4]: the
-- dead-letter set; KEYS[5]: the lease deadlines.
-- ARGV[1]: the lease token; ARGV[2]: the consumer group; ARGV[3]: the mode;
-- ARGV[4]: the delay or reason; ARGV[5]: the job id.
-- Returns 1 when settled, 0 when the lease was no longer this token's.

-- Server time in milliseconds: Redis's clock, one for every machine.
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('HGET', KEYS[2], 'token') ~= ARGV[1] then return 0 end
local entry = redis.call('HGET', KEYS[2], 'entry')
redis.call('XACK', KEYS[1], ARGV[2], entry)
redis.call('XDEL', KEYS[1], entry)
redis.call('HDEL', KEYS[2], 'token')
redis.call('ZREM', KEYS[5], ARGV[5])
local mode = ARGV[3]
if mode == 'ack' then
  redis.call('DEL', KEYS[2])
elseif mode == 'retry' then
  redis.call('HSET', KEYS[2], 'state', 'delayed')
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[5])
elseif mode == 'release' then
  redis.call('HINCRBY', KEYS[2], 'attempts', -1)
  redis.call('HSET', KEYS[2], 'state', 'waiting', 'entry', redis.call('XADD', KEYS[1], '*', 'id', ARGV[5]))
else
  redis.call('HSET', KEYS[2], 'state', 'dead', 'reason', ARGV[4], 'died', now)
  redis.call('ZADD', KEYS[4], now, ARGV[5])
end
return 1
