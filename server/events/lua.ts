/**
 * Redis scripts. Each runs atomically, which is what keeps ids, history and live delivery in
 * step: no reader can see an id in the list that was not published, or the reverse.
 *
 * Ids are kept as strings inside Lua: Lua numbers are doubles and `..` would print a large id
 * in exponent notation.
 */

/**
 * The sequence counter never restarts low: when it is missing (a new user, or Redis lost its
 * data) it starts from the Redis clock in ms × 1000, above every id handed out before.
 */
const ENSURE_SEQUENCE = `
local function ensure_sequence(seq_key)
  if redis.call('EXISTS', seq_key) == 0 then
    local now = redis.call('TIME')
    redis.call('SET', seq_key, string.format('%d', tonumber(now[1]) * 1000000 + math.floor(tonumber(now[2]) / 1000) * 1000))
  end
end
`;

/**
 * One event to one user: next id, append to the history, trim, refresh the TTL, PUBLISH.
 * `body` is the payload JSON without id (starting with '{"'); the id goes first.
 */
const PUBLISH_ONE = `${ENSURE_SEQUENCE}
local function publish_one(seq_key, list_key, channel, body, history_length, ttl)
  ensure_sequence(seq_key)
  local id = string.format('%d', redis.call('INCR', seq_key))
  local event = '{"id":' .. id .. ',' .. string.sub(body, 2)
  redis.call('RPUSH', list_key, event)
  redis.call('LTRIM', list_key, -history_length, -1)
  redis.call('EXPIRE', list_key, ttl)
  redis.call('PUBLISH', channel, event)
  return id
end
`;

/**
 * KEYS: seq, events list, channel, dedupe key (or '' for none)
 * ARGV: payload JSON without id, history length, ttl seconds
 * Returns the event id (as a string).
 */
export const PUBLISH_SCRIPT = `${PUBLISH_ONE}
local dedupe_key = KEYS[4]
if dedupe_key ~= '' then
  local existing = redis.call('GET', dedupe_key)
  if existing then return existing end
end
local id = publish_one(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]))
if dedupe_key ~= '' then redis.call('SET', dedupe_key, id, 'EX', tonumber(ARGV[3])) end
return id
`;

/**
 * The same event to many users in one call (a fan-out costs one script run per batch, not per
 * user). KEYS: seq, events list, channel of each user in turn; ARGV as PUBLISH_SCRIPT's.
 * Returns the ids in the users' order.
 */
export const PUBLISH_MANY_SCRIPT = `${PUBLISH_ONE}
local ids = {}
local history_length, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 1, #KEYS, 3 do
  ids[#ids + 1] = publish_one(KEYS[i], KEYS[i + 1], KEYS[i + 2], ARGV[1], history_length, ttl)
end
return ids
`;

/**
 * What a connecting stream needs, read at one instant.
 * KEYS: seq, events list
 * ARGV: last event id the client has ('' for none)
 * Returns { newest id, status, id of the last event in frames ('' when none), count, frames }:
 *   status 'ok'      every event after the client's id is in the list,
 *          'gap'     some were trimmed or expired (frames hold what the list has after the id),
 *          'future'  the client's id is above anything handed out (Redis lost data, or a
 *                    foreign id); frames are empty.
 * Events are contiguous per user (one INCR per push), so the list's first id tells where the
 * client's id falls without reading the whole list. The replay leaves Redis as one string of
 * SSE frames, written exactly as common/sse.ts formatSseFrame writes live ones (a test holds
 * the two to the same bytes): one reply to parse and one write, instead of a thousand.
 */
export const SNAPSHOT_SCRIPT = `${ENSURE_SEQUENCE}
local function frames_of(events)
  local parts, last = {}, ''
  for _, event in ipairs(events) do
    local id, event_type = string.match(event, '^{"id":(%d+),"type":"([a-z_]+)"')
    if id then
      parts[#parts + 1] = 'id: ' .. id .. '\\nevent: ' .. event_type .. '\\ndata: ' .. event .. '\\n\\n'
      last = id
    end
  end
  return { last, #parts, table.concat(parts) }
end

local seq_key, list_key = KEYS[1], KEYS[2]
ensure_sequence(seq_key)
local newest = redis.call('GET', seq_key)
local since = ARGV[1]
local status, start = 'ok', 0
if since ~= '' then
  local since_n, newest_n = tonumber(since), tonumber(newest)
  if since_n > newest_n then return { newest, 'future', '', 0, '' } end
  if since_n == newest_n then return { newest, 'ok', '', 0, '' } end
  local first = redis.call('LINDEX', list_key, 0)
  if not first then return { newest, 'gap', '', 0, '' } end
  local first_id = tonumber(string.match(first, '^{"id":(%d+)'))
  if first_id > since_n + 1 then status = 'gap' else start = since_n + 1 - first_id end
end
local replay = frames_of(redis.call('LRANGE', list_key, start, -1))
return { newest, status, replay[1], replay[2], replay[3] }
`;

/**
 * KEYS: read-marker key; ARGV: id. Moves the marker forward only, so an older ack from a slow
 * desk cannot un-read what another desk read. Returns { marker after the call, 1 if it moved }.
 */
export const ADVANCE_READ_SCRIPT = `
local current = redis.call('GET', KEYS[1]) or '0'
if tonumber(ARGV[1]) > tonumber(current) then
  redis.call('SET', KEYS[1], ARGV[1])
  return { ARGV[1], 1 }
end
return { current, 0 }
`;
