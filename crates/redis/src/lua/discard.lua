-- Forgets a dead job; only a dead one, so that a job revived meanwhile is left alone.
-- KEYS[1]: the job's hash; KEYS[2]: the dead-letter set. ARGV[1]: the job id.
-- Returns 1 when forgotten, 0 when the job was not dead.

if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1])
return 1
