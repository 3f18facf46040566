"""The Lua scripts behind handoff/queues/lanes.py: each is one round trip, and atomic.

Every key a script touches is in KEYS, or (a job hash) is KEYS' job prefix plus the id,
so on a Redis Cluster it is in the same hash slot as the rest
(handoff/storage/connection/redis_url.py).
"""

# A once key's job id: a short hash of its mark (set, key, expiry), so a repeated put can
# name the first job without it being stored; the expiry keeps a key seen again after its
# mark ran out (a reused Telegram update_id) from getting an old job's id.
_MARK_ID = """
local function mark_id(expires)
  return string.sub(redis.sha1hex(KEYS[4] .. '\\n' .. ARGV[5] .. '\\n' .. expires), 1, 16)
end
"""

# KEYS: lane list, due, count, mark set, job prefix.
# ARGV: body, blob or "", now, lane, once key or "", once expiry, job id (without once).
# Returns the job's id; for a ``once`` key put before, the first job's id after a "-".
PUT = (
    _MARK_ID
    + """
local id = ARGV[7]
if ARGV[5] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[3])
  local expires = redis.call('ZSCORE', KEYS[4], ARGV[5])
  if expires then return '-' .. mark_id(tostring(tonumber(expires))) end
  redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
  -- The set lives as long as its latest mark (workers' clocks may differ a little).
  local latest = redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')[2]
  redis.call('EXPIRE', KEYS[4], math.ceil(tonumber(latest) - tonumber(ARGV[3])))
  id = mark_id(tostring(tonumber(ARGV[6])))
end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[5] .. id, 'body', ARGV[1], 'blob', ARGV[2])
else
  redis.call('HSET', KEYS[5] .. id, 'body', ARGV[1])
end
redis.call('RPUSH', KEYS[1], id)
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[4])
redis.call('INCR', KEYS[3])
return id
"""
)

# KEYS: due, owner, count. ARGV: now, lease until, token, limit.
# Returns the jobs waiting in every lane, then the lanes taken.
CLAIM = """
local out = {tonumber(redis.call('GET', KEYS[3]) or '0')}
if tonumber(ARGV[4]) <= 0 then return out end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[4])
for _, lane in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], lane)
  redis.call('HSET', KEYS[2], lane, ARGV[3])
  out[#out + 1] = lane
end
return out
"""

# The holder's next job. KEYS: due, owner, lane list, count, job prefix.
# ARGV: lane, token, lease until, the job just done or "", now.
# The done job is popped if it is still the head, whoever holds the lane (it was done).
# Returns -1 when another worker holds the lane; 0 when the lane is empty, and let go
# (a put after this finds it gone from ``due`` and adds it again); else the head job:
# id, body, blob or false, tries or false, and when it was first taken or false (then
# this is its first take, now stamped). A head whose hash is gone (erased) is dropped.
NEXT = """
if ARGV[4] ~= '' and redis.call('LINDEX', KEYS[3], 0) == ARGV[4] then
  redis.call('LPOP', KEYS[3])
  redis.call('DEL', KEYS[5] .. ARGV[4])
  redis.call('DECR', KEYS[4])
end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return -1 end
while true do
  local id = redis.call('LINDEX', KEYS[3], 0)
  if not id then
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('ZREM', KEYS[1], ARGV[1])
    return 0
  end
  local job = redis.call('HMGET', KEYS[5] .. id, 'body', 'blob', 'tries', 'taken')
  if job[1] then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
    if not job[4] then redis.call('HSET', KEYS[5] .. id, 'taken', ARGV[5]) end
    return {id, job[1], job[2], job[3], job[4]}
  end
  redis.call('LPOP', KEYS[3])
  redis.call('DEL', KEYS[5] .. id)
  redis.call('DECR', KEYS[4])
end
"""

# Let the lane go: gone from ``due`` when empty, else due at ARGV[3]. Only by its holder.
# KEYS: due, owner, lane list. ARGV: lane, token, due at.
RELEASE = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('LLEN', KEYS[3]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""

# Keep holding every lane named: push each one's lease out. KEYS: due, owner.
# ARGV: token, lease until, lanes... Returns the lanes another worker holds now.
RENEW = """
local lost = {}
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
"""
