import { EVENTS_SUFFIX, SEQUENCE_SUFFIX, USER_PREFIX } from './keys.js';

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
const CLOCK_SEED = `
local function clock_seed()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000000 + math.floor(tonumber(now[2]) / 1000) * 1000
end
`;

const ENSURE_SEQUENCE = `${CLOCK_SEED}
local function ensure_sequence(seq_key)
  if redis.call('EXISTS', seq_key) == 0 then
    redis.call('SET', seq_key, string.format('%d', clock_seed()))
  end
end
`;

/**
 * Appends one event to one user's history: next id, push, trim, refresh the TTL; returns the id
 * and the stored JSON. `body_rest` is the payload JSON without id and without its leading '{',
 * so the id goes first. INCR creates a missing counter at 1 (a seeded counter is never 0), and
 * only then is it seeded, giving the id ensure_sequence + INCR would have: one command per event
 * instead of two. LTRIM runs only when the push made the list too long.
 */
const STORE_EVENT = `${CLOCK_SEED}
local function next_id(seq_key)
  local id = redis.call('INCR', seq_key)
  if id == 1 then
    id = clock_seed() + 1
    redis.call('SET', seq_key, string.format('%d', id))
  end
  return string.format('%d', id)
end

local function store_event(seq_key, list_key, body_rest, history_length, ttl)
  local id = next_id(seq_key)
  local event = '{"id":' .. id .. ',' .. body_rest
  if redis.call('RPUSH', list_key, event) > history_length then
    redis.call('LTRIM', list_key, -history_length, -1)
  end
  redis.call('EXPIRE', list_key, ttl)
  return id, event
end
`;

/**
 * One event to one user, published on the user's own channel.
 * KEYS: seq, events list, channel, dedupe key (or '' for none)
 * ARGV: payload JSON without id (starting with '{"'), history length, ttl seconds
 * Returns the event id (as a string).
 */
export const PUBLISH_SCRIPT = `${STORE_EVENT}
local dedupe_key = KEYS[4]
if dedupe_key ~= '' then
  local existing = redis.call('GET', dedupe_key)
  if existing then return existing end
end
local id, event = store_event(KEYS[1], KEYS[2], string.sub(ARGV[1], 2), tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('PUBLISH', KEYS[3], event)
if dedupe_key ~= '' then redis.call('SET', dedupe_key, id, 'EX', tonumber(ARGV[3])) end
return id
`;

/**
 * The same event to a batch of users: each gets their own id and history entry, then the batch
 * is published once on the shared fan-out channel, in the format fan-out-message.ts reads (the
 * pairs `userId:id`, a newline, the payload): one pub/sub message for every server to receive
 * instead of one per user.
 * The script names its users' keys itself instead of taking them as KEYS: two keys and an id per
 * user cost the publishing process ~3 µs per user to encode (17 ms for a notice to 5,000) and
 * Redis as much to parse, where one comma-separated list costs next to nothing. Declared KEYS are
 * what Redis Cluster needs to route a script; ClinicPulse runs on one Redis.
 * ARGV: fan-out channel, payload JSON without id, history length, ttl seconds, user ids joined
 *       by commas
 * Returns the published pairs `userId:id,…`, in the users' order.
 */
export const PUBLISH_MANY_SCRIPT = `${STORE_EVENT}
local channel, body = ARGV[1], ARGV[2]
local body_rest = string.sub(body, 2)
local history_length, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local recipients = {}
for user_id in string.gmatch(ARGV[5], '%d+') do
  local key = '${USER_PREFIX}' .. user_id
  local id = store_event(key .. '${SEQUENCE_SUFFIX}', key .. '${EVENTS_SUFFIX}', body_rest, history_length, ttl)
  recipients[#recipients + 1] = user_id .. ':' .. id
end
local published = table.concat(recipients, ',')
redis.call('PUBLISH', channel, published .. '\\n' .. body)
return published
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
