-- Marks a delivered entry as taken by a worker until now + ARGV[4] ms; drops entries
-- whose job moved on (settled, retried or revived since), and leaves alone one that
-- another worker holds.
-- KEYS[1]: the stream; KEYS[2]: the job's hash; KEYS[3]: the lease deadlines.
-- ARGV[1]: the entry id; ARGV[2]: the new lease token; ARGV[3]: the consumer group;
-- ARGV[4]: the lease in ms; ARGV[5]: the job id.
-- Returns the attempt number, or false when there is nothing to claim.

-- Server time in milliseconds: Redis's clock, one for every machine.
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local job = redis.call('HMGET', KEYS[2], 'entry', 'state')
if job[1] == ARGV[1] and job[2] == 'running' then return false end
if job[1] ~= ARGV[1] or job[2] ~= 'waiting' then
  redis.call('XACK', KEYS[1], ARGV[3], ARGV[1])
  redis.call('XDEL', KEYS[1], ARGV[1])
  return false
end
redis.call('HSET', KEYS[2], 'token', ARGV[2], 'state', 'running')
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[5])
return redis.call('HINCRBY', KEYS[2], 'attempts', 1)
