-- Queues a job unless it is already known (queueing is idempotent: the API's sweep and
-- outbox relay may queue the same submission again).
-- KEYS[1]: the stream; KEYS[2]: the job's hash. ARGV[1]: the job id.
-- Returns 1 when queued, 0 when the job already existed.

-- Server time in milliseconds: Redis's clock, one for every machine.
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1])
redis.call('HSET', KEYS[2], 'entry', entry, 'attempts', 0, 'created', now, 'state', 'waiting')
return 1
