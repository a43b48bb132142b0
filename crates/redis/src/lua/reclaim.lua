-- Hands the job whose lease ran out longest ago (its worker died) to this consumer.
-- KEYS[1]: the stream; KEYS[2]: the lease deadlines.
-- ARGV[1]: the consumer group; ARGV[2]: this consumer; ARGV[3]: the new lease token;
-- ARGV[4]: the lease in ms; ARGV[5]: the prefix of job hashes (the id is appended, as
-- the job is only known once found here).
-- Returns {id, attempt}, or false when no lease has run out.

-- Server time in milliseconds: Redis's clock, one for every machine.
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1)
if #due == 0 then return false end
local id = due[1]
local key = ARGV[5] .. id
local job = redis.call('HMGET', key, 'entry', 'state')
if not job[1] or job[2] ~= 'running' then
  redis.call('ZREM', KEYS[2], id)
  return false
end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, job[1], 'JUSTID')
redis.call('HSET', key, 'token', ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), id)
return {id, redis.call('HINCRBY', key, 'attempts', 1)}
