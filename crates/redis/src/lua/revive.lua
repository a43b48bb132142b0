-- Takes a job out of the dead-letter set and queues it afresh: its hash is made anew, so
-- it starts again with no attempts.
-- KEYS[1]: the stream; KEYS[2]: the job's hash; KEYS[3]: the dead-letter set.
-- ARGV[1]: the job id.
-- Returns 1 when revived, 0 when the job was not dead.

-- Server time in milliseconds: Redis's clock, one for every machine.
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1])
redis.call('HSET', KEYS[2], 'entry', entry, 'attempts', 0, 'created', now, 'state', 'waiting')
return 1
