import { ADOPTED_SUFFIX, DEDUPE_INFIX, EVENTS_SUFFIX, HISTORY_BASE_PREFIX, ORIGINAL_HISTORY_TTL_SECONDS, SEQUENCE_SUFFIX, type KeySpace } from './keys.js';

/**
 * Redis scripts. Each runs atomically, which is what keeps ids, history and live delivery in
 * step: no reader can see an id in the list that was not published, or the reverse.
 *
 * Ids are kept as strings inside Lua: Lua numbers are doubles and `..` would print a large id
 * in exponent notation.
 */

/**
 * Ids are never handed out twice, whatever Redis forgets. Each id is above the user's last one and
 * at least the Redis clock in ms × 1000, so a counter that went back in time (Redis killed before
 * its last writes reached the disk, an older backup restored, a replica promoted) still moves
 * past every id handed out before the loss: those were all taken at an earlier millisecond.
 * (Only more than 1,000 events to one user within one millisecond could outrun the clock.)
 */
const CLOCK_FLOOR = `
local function clock_floor()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000000 + math.floor(tonumber(now[2]) / 1000) * 1000
end
`;

const ENSURE_SEQUENCE = `${CLOCK_FLOOR}
local function ensure_sequence(seq_key)
  if redis.call('EXISTS', seq_key) == 0 then
    redis.call('SET', seq_key, string.format('%d', clock_floor()))
  end
end
`;

/**
 * Events published the original system's way: bare JSON without an id, `PUBLISH user:<id>` and
 * `RPUSH user:<id>:events` (then `EXPIRE 3600`), two commands that reach Redis and our hubs in
 * either order. Each is adopted exactly once: rewritten with an id (the type first, no
 * whitespace between tokens, so it reads like every other event), pushed as a new event and
 * published on the user's channel, where every server's streams receive it like any other.
 * Adopting claims `user:<id>:adopted:<sha1 of the rewritten JSON>` in the same script, so the
 * second sighting of the same event (the other command, another server) only removes what is
 * left of it. The claim outlives the list (the original refreshes the list's TTL to an hour).
 *
 * A bare entry is adopted when the list is next written or read: before any event ClinicPulse
 * pushes, and when a stream connects. The original publisher only appends, so every bare entry
 * sits after the last event ClinicPulse pushed: the adopting script looks only at that tail.
 * Ids keep increasing along the list (which the snapshot's bisection relies on) because an
 * adopted entry is removed and appended anew.
 */
const adoptEvents = (publish: string) => `
local function is_ours(entry)
  return string.find(entry, '^{"id":%d+,"type":"[a-z_]+"') ~= nil or string.find(entry, '^${HISTORY_BASE_PREFIX}%d+}$') ~= nil
end

local function is_blank(c)
  return c == 32 or c == 9 or c == 10 or c == 13
end

-- Valid JSON without the whitespace between its tokens.
local function minified(text)
  local parts, start, i, n, in_string = {}, 1, 1, #text, false
  while i <= n do
    local c = string.byte(text, i)
    if in_string then
      if c == 92 then i = i + 1 elseif c == 34 then in_string = false end
    elseif c == 34 then
      in_string = true
    elseif is_blank(c) then
      parts[#parts + 1] = string.sub(text, start, i - 1)
      start = i + 1
    end
    i = i + 1
  end
  parts[#parts + 1] = string.sub(text, start)
  return table.concat(parts)
end

-- The members of a minified JSON object, as text.
local function members_of(object)
  local members, start, depth, i, n, in_string = {}, 2, 0, 2, #object - 1, false
  while i <= n do
    local c = string.byte(object, i)
    if in_string then
      if c == 92 then i = i + 1 elseif c == 34 then in_string = false end
    elseif c == 34 then
      in_string = true
    elseif c == 123 or c == 91 then
      depth = depth + 1
    elseif c == 125 or c == 93 then
      depth = depth - 1
    elseif c == 44 and depth == 0 then
      members[#members + 1] = string.sub(object, start, i - 1)
      start = i + 1
    end
    i = i + 1
  end
  if n >= 2 then members[#members + 1] = string.sub(object, start, n) end
  return members
end

-- A bare event rewritten as ClinicPulse stores its payloads, '{"type":"…",…}' (its own "id",
-- if any, dropped); nil for anything that is not a JSON object with a type.
local function adoptable(entry)
  local ok, value = pcall(cjson.decode, entry)
  if not ok or type(value) ~= 'table' then return nil end
  local object = minified(entry)
  if string.sub(object, 1, 1) ~= '{' then return nil end
  local type_member, rest = nil, {}
  for _, member in ipairs(members_of(object)) do
    if string.find(member, '^"type":"[a-z_]+"$') then
      type_member = type_member or member
    elseif not string.find(member, '^"id":') then
      rest[#rest + 1] = member
    end
  end
  if not type_member then return nil end
  if #rest == 0 then return '{' .. type_member .. '}' end
  return '{' .. type_member .. ',' .. table.concat(rest, ',') .. '}'
end

local function claim_key(user_key, body)
  return user_key .. '${ADOPTED_SUFFIX}' .. redis.sha1hex(body)
end

local function claim_ttl(ttl)
  return 2 * math.max(ttl, ${ORIGINAL_HISTORY_TTL_SECONDS})
end

-- Stores and publishes a rewritten bare event unless it was adopted before; returns its id.
local function adopt(user_key, body, floor, history_length, ttl)
  local claim = claim_key(user_key, body)
  if redis.call('EXISTS', claim) == 1 then return nil end
  local id, event = push_event(user_key .. '${SEQUENCE_SUFFIX}', user_key .. '${EVENTS_SUFFIX}', string.sub(body, 2), floor, history_length, ttl)
  redis.call('SET', claim, id, 'EX', claim_ttl(ttl))
  -- The user's channel is named like the user's keys.
  redis.call('${publish}', user_key, event)
  return id
end

-- Adopts (or, when adopted before, drops) the bare entries after the list's last own entry.
-- Entries that are not events at all stay, before the adopted ones.
local function adopt_tail(user_key, floor, history_length, ttl)
  local list_key = user_key .. '${EVENTS_SUFFIX}'
  -- Nearly always the last entry is ours (or there is none): one call tells.
  local last = redis.call('LINDEX', list_key, '-1')
  if not last or is_ours(last) then return end
  local length = redis.call('LLEN', list_key)
  local count = 1
  while count < length and not is_ours(redis.call('LINDEX', list_key, -(count + 1))) do count = count + 1 end
  local tail, bodies, others = redis.call('LRANGE', list_key, -count, -1), {}, {}
  for _, entry in ipairs(tail) do
    local body = adoptable(entry)
    if body then bodies[#bodies + 1] = body else others[#others + 1] = entry end
  end
  if #bodies == 0 then return end
  -- Emptying the list deletes it, and with it the TTL the pushes below must not lose.
  local pttl = redis.call('PTTL', list_key)
  redis.call('LTRIM', list_key, 0, -(count + 1))
  if #others > 0 then redis.call('RPUSH', list_key, unpack(others)) end
  for _, body in ipairs(bodies) do adopt(user_key, body, floor, history_length, ttl) end
  if pttl > 0 and redis.call('PTTL', list_key) == -1 then redis.call('PEXPIRE', list_key, pttl) end
end
`;

/**
 * The first entry of a history list may be a marker, `${HISTORY_BASE_PREFIX}<id>}`: the id of the
 * event just before the list's first event, so a reader can tell "the client has everything up to
 * the first event" from "events between were trimmed away" without ids being consecutive. The
 * list is created with it, and trimmed in chunks that rewrite it (trimming every event would
 * rewrite it every event): a list holds `history_length` to `history_length + slack` events.
 */
const storeEvent = (publish: string) => `
-- redis.call prints a number argument with "%.17g" at every call (5 % of Redis's instructions for
-- a fan-out, callgrind); the clock floor and the TTL, the same for a whole script, are printed once.
local printed = {}
local function as_text(n)
  local text = printed[n]
  if not text then
    text = string.format('%d', n)
    printed[n] = text
  end
  return text
end

local function trim_slack(history_length)
  return math.max(1, math.floor(history_length / 8))
end

local function trim_history(list_key, length, history_length)
  local keep_from = length - history_length - 1
  local base_id = string.match(redis.call('LINDEX', list_key, keep_from) or '', '^{"id":(%d+),')
  if base_id then
    redis.call('LTRIM', list_key, keep_from, -1)
    redis.call('LSET', list_key, 0, '${HISTORY_BASE_PREFIX}' .. base_id .. '}')
  else
    -- An entry ClinicPulse did not write: its place is unknown, so the list gets no marker.
    redis.call('LTRIM', list_key, -history_length, -1)
  end
end

-- Without a counter (a new user, or Redis lost everything) nothing is known of earlier ids, so a
-- new list gets no marker: a client with any id is then told that it may have missed events.
local function push_event(seq_key, list_key, body_rest, floor, history_length, ttl)
  -- The clock floor is set and the last id read in one call; only a user's second event within
  -- one millisecond (a batch of a conversation's events) needs the second.
  local id = as_text(floor)
  local last = redis.call('SET', seq_key, id, 'GET')
  if last and tonumber(last) >= floor then
    id = string.format('%d', tonumber(last) + 1)
    redis.call('SET', seq_key, id)
  end
  local event = '{"id":' .. id .. ',' .. body_rest
  local length = redis.call('RPUSH', list_key, event)
  if length == 1 and last then
    redis.call('LPUSH', list_key, '${HISTORY_BASE_PREFIX}' .. last .. '}')
  elseif length > history_length + trim_slack(history_length) + 1 then
    trim_history(list_key, length, history_length)
  end
  redis.call('EXPIRE', list_key, as_text(ttl))
  return id, event
end
${adoptEvents(publish)}
-- Every event ClinicPulse stores goes after the bare entries the original system's publisher
-- pushed since the last one, once those are adopted: so bare entries only ever sit at the end.
local function store_event(user_key, body_rest, floor, history_length, ttl)
  adopt_tail(user_key, floor, history_length, ttl)
  return push_event(user_key .. '${SEQUENCE_SUFFIX}', user_key .. '${EVENTS_SUFFIX}', body_rest, floor, history_length, ttl)
end
`;

/**
 * The scripts below, written for one deployment: on a cluster they publish with SPUBLISH (sharded
 * pub/sub, sent only within the shard that holds the channel) and take one declared key, the
 * user prefix of their group, which routes them to the shard that holds those users (see keys.ts).
 */
export interface EventScripts {
  publish: string;
  publishBatch: string;
  publishMany: string;
  adoptPublished: string;
  snapshot: string;
  snapshotEntries: string;
}

const scriptsByCommand = new Map<string, EventScripts>();

export function eventScripts(keys: Pick<KeySpace, 'publishCommand'>): EventScripts {
  const publish = keys.publishCommand;
  let scripts = scriptsByCommand.get(publish);
  if (!scripts) {
    scripts = {
      publish: publishScript(publish),
      publishBatch: publishBatchScript(publish),
      publishMany: publishManyScript(publish),
      adoptPublished: adoptPublishedScript(publish),
      snapshot: snapshotScript(publish),
      snapshotEntries: snapshotEntriesScript(publish),
    };
    scriptsByCommand.set(publish, scripts);
  }
  return scripts;
}

/**
 * One event to one user, published on the user's own channel (named like the user key).
 * KEYS: seq, events list
 * ARGV: payload JSON without id (starting with '{"'), history length, ttl seconds, user key
 *       (`user:<id>`, which names the user's other keys), dedupe key ('' for none; the script
 *       stores it as `<user key>:dedupe:<key>`)
 * Returns the event id (as a string).
 */
const publishScript = (publish: string) => `${CLOCK_FLOOR}${storeEvent(publish)}
local user_key = ARGV[4]
local dedupe_key = ARGV[5] ~= '' and (user_key .. '${DEDUPE_INFIX}' .. ARGV[5]) or nil
if dedupe_key then
  local existing = redis.call('GET', dedupe_key)
  if existing then return existing end
end
local id, event = store_event(user_key, string.sub(ARGV[1], 2), clock_floor(), tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('${publish}', user_key, event)
if dedupe_key then redis.call('SET', dedupe_key, id, 'EX', tonumber(ARGV[3])) end
return id
`;

/**
 * Several events, each to one user, in one call: what publishScript does, event after event in
 * the order given (so one user's events keep theirs), for the outbox relay, which hands over every
 * row it has instead of one round trip per row (bench/RESULTS.md, the message path). Like
 * publishManyScript it names its users' keys itself, for the same reason; on a cluster the users
 * of one call are of one group (keys.ts).
 * KEYS: none on one Redis; on a cluster the user prefix, to route the script
 * ARGV: user prefix (`user:`), history length, ttl seconds, then per event: user id, dedupe key
 *       ('' for none), payload JSON without id (starting with '{"')
 * Returns the events' ids (as strings), in order; an event published before under its dedupe key
 * returns that id and is not published again.
 */
const publishBatchScript = (publish: string) => `${CLOCK_FLOOR}${storeEvent(publish)}
local prefix, history_length, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local floor = clock_floor()
local ids = {}
for i = 4, #ARGV, 3 do
  local user_key = prefix .. ARGV[i]
  local dedupe_key = ARGV[i + 1] ~= '' and (user_key .. '${DEDUPE_INFIX}' .. ARGV[i + 1]) or nil
  local id = dedupe_key and redis.call('GET', dedupe_key)
  if not id then
    local event
    id, event = store_event(user_key, string.sub(ARGV[i + 2], 2), floor, history_length, ttl)
    redis.call('${publish}', user_key, event)
    if dedupe_key then redis.call('SET', dedupe_key, id, 'EX', ttl) end
  end
  ids[#ids + 1] = id
end
return ids
`;

/**
 * The same event to a batch of users: each gets their own id and history entry, then the batch
 * is published once on the shared fan-out channel, in the format fan-out-message.ts reads (the
 * pairs `userId:id`, a newline, the payload): one pub/sub message for every server to receive
 * instead of one per user.
 * The script names its users' keys itself instead of taking them as KEYS: two keys and an id per
 * user cost the publishing process ~3 µs per user to encode (17 ms for a notice to 5,000) and
 * Redis as much to parse, where one comma-separated list costs next to nothing. On a cluster the
 * users of one call are of one group, whose keys share a slot with its fan-out channel.
 * KEYS: none on one Redis; on a cluster the user prefix, to route the script
 * ARGV: user prefix (`user:`), fan-out channel, payload JSON without id, history length, ttl
 *       seconds, user ids joined by commas, dedupe key of this batch ('' for none), and for a
 *       batch published again after a Redis loss the ids each user's event had first, joined by
 *       commas in the users' order ('' for a first publish; 0 for a user without one)
 * Returns the published pairs `userId:id,…`, in the users' order; with a dedupe key that was
 * published before, the pairs published then, and nothing is published again. A batch published
 * again (Redis lost it) is stored as copies marked with each user's first id, like the
 * outbox's (stored-event.ts asCopyOf), and each goes on its user's own channel, where a stream
 * reads the mark: the shared fan-out message has one body for everyone. A repair is rare, so
 * the one pub/sub message per user costs nothing that matters.
 */
const publishManyScript = (publish: string) => `${CLOCK_FLOOR}${storeEvent(publish)}
local dedupe_key = ARGV[7]
if dedupe_key ~= '' then
  local existing = redis.call('GET', dedupe_key)
  if existing then return existing end
end
local prefix, channel, body = ARGV[1], ARGV[2], ARGV[3]
local body_rest = string.sub(body, 2)
local history_length, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local floor = clock_floor()
local recipients, firsts = {}, {}
for first in string.gmatch(ARGV[8] or '', '%d+') do firsts[#firsts + 1] = first end
local copies = #firsts > 0
local head, tail
if copies then
  local type_end = select(2, string.find(body_rest, '^"type":"[a-z_]+"'))
  head, tail = string.sub(body_rest, 1, type_end), string.sub(body_rest, type_end + 1)
end
for user_id in string.gmatch(ARGV[6], '%d+') do
  local first = firsts[#recipients + 1]
  local user_key = prefix .. user_id
  local body_of_user = (first and first ~= '0') and (head .. ',"replaces":' .. first .. tail) or body_rest
  local id, event = store_event(user_key, body_of_user, floor, history_length, ttl)
  if copies then redis.call('${publish}', user_key, event) end
  recipients[#recipients + 1] = user_id .. ':' .. id
end
local published = table.concat(recipients, ',')
if not copies then redis.call('${publish}', channel, published .. '\\n' .. body) end
if dedupe_key ~= '' then redis.call('SET', dedupe_key, published, 'EX', ttl) end
return published
`;

/**
 * A bare event a server received on a user's channel (the original system's PUBLISH): adopted
 * unless it was before (by another server, or from the list, where the original's RPUSH may
 * have put it first).
 * KEYS: none on one Redis; on a cluster the user key, to route the script
 * ARGV: user key (`user:<id>`), the message, history length, ttl seconds
 * Returns the new event's id; '' when it was adopted before or is not an event.
 */
const adoptPublishedScript = (publish: string) => `${CLOCK_FLOOR}${storeEvent(publish)}
local user_key, history_length, ttl = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
local floor = clock_floor()
adopt_tail(user_key, floor, history_length, ttl)
local body = adoptable(ARGV[2])
if not body then return '' end
return adopt(user_key, body, floor, history_length, ttl) or ''
`;

/**
 * What a connecting stream needs, read at one instant, once the bare events at the end of the
 * list are adopted (see adoptEvents).
 * KEYS: seq, events list
 * ARGV: last event id the client has ('' for none), user key (`user:<id>`), history length,
 *       ttl seconds
 * Returns { newest id, status, id of the last event in frames ('' when none), count, frames,
 *           position the stream continues from ('' for the client's own) }:
 *   status 'ok'       every event after the client's id is in the list,
 *          'gap'      some were trimmed or expired (frames hold what the list has after the id),
 *          'diverged' the client's id is not one this history holds: above anything handed
 *                     out, or taken before Redis lost its last writes and since handed out
 *                     past. Frames hold the events after the last id the history and the
 *                     client share; the stream continues from that id.
 * Entries that are neither events nor the base marker (the original system's publisher writes
 * bare JSON without an id) are skipped. Ids increase along the list, so the first event after
 * the client's id is found by bisection; the event before it (or the base marker) tells whether
 * the client's id is where the history says it is. The replay leaves Redis as one string of
 * SSE frames, written exactly as common/sse.ts formatSseFrame writes live ones (a test holds
 * the two to the same bytes): one reply to parse and one write, instead of a thousand.
 */
const snapshotScript = (publish: string) => `${ENSURE_SEQUENCE}${storeEvent(publish)}
local list_key = KEYS[2]

local function id_of(entry)
  return tonumber(string.match(entry or '', '^{"id":(%d+),"type":"[a-z_]+"'))
end

-- The first event at or after index i, as (index, id); (nil, nil) when there is none.
local function event_from(i, length)
  while i < length do
    local id = id_of(redis.call('LINDEX', list_key, i))
    if id then return i, id end
    i = i + 1
  end
  return nil, nil
end

-- The id just before index i: the nearest event before it, else the base marker (nil if none).
local function before(i)
  while i > 0 do
    i = i - 1
    local entry = redis.call('LINDEX', list_key, i)
    local id = id_of(entry)
    if id then return id end
    local base = string.match(entry, '^${HISTORY_BASE_PREFIX}(%d+)}$')
    if base then return tonumber(base) end
  end
  return nil
end

-- A copy of an event Redis lost (published again, marked with the id it had first) is left out
-- for a client that has every event up to that first id: it had the event then.
local function frames_from(start, client_has)
  local parts, last = {}, ''
  for _, event in ipairs(redis.call('LRANGE', list_key, start, -1)) do
    local id, after_type = string.match(event, '^{"id":(%d+),"type":"[a-z_]+"()')
    if id then
      -- Where the marker can only be: right after the type, read without a second scan.
      local first = client_has and string.sub(event, after_type, after_type + 11) == ',"replaces":'
        and tonumber(string.match(event, '^%d+', after_type + 12))
      if not (first and first <= client_has) then
        parts[#parts + 1] = 'id: ' .. id .. '\\ndata: ' .. event .. '\\n\\n'
        last = id
      end
    end
  end
  return last, #parts, table.concat(parts)
end

adopt_tail(ARGV[2], clock_floor(), tonumber(ARGV[3]), tonumber(ARGV[4]))
ensure_sequence(KEYS[1])
local newest = redis.call('GET', KEYS[1])
local since = ARGV[1]
if since == '' then
  return { newest, 'ok', frames_from(0) }
end
local since_n, newest_n = tonumber(since), tonumber(newest)
if since_n > newest_n then return { newest, 'diverged', '', 0, '', newest } end
if since_n == newest_n then return { newest, 'ok', '', 0, '' } end

-- Bisection for the first event with an id above the client's.
local length = redis.call('LLEN', list_key)
local low, high = 0, length
while low < high do
  local middle = math.floor((low + high) / 2)
  local index, id = event_from(middle, high)
  if not index then high = middle
  elseif id > since_n then high = middle
  else low = index + 1 end
end
local first = event_from(low, length)
if not first then return { newest, 'gap', '', 0, '' } end

local previous = before(first)
local last, count, frames = frames_from(first, since_n)
-- Lists written before the marker existed hold consecutive ids.
if previous == nil and id_of(redis.call('LINDEX', list_key, first)) == since_n + 1 then previous = since_n end
if previous == since_n then return { newest, 'ok', last, count, frames } end
if previous and previous < since_n then
  return { newest, 'diverged', last, count, frames, string.format('%d', previous) }
end
return { newest, 'gap', last, count, frames }
`;

/**
 * For a client that resumes by timestamp (the original system's `?since=`): the newest id and
 * every entry of the list, read at one instant once the bare events are adopted; the entries
 * are matched against the timestamp in TypeScript (since-timestamp.ts).
 * KEYS: seq, events list
 * ARGV: user key (`user:<id>`), history length, ttl seconds
 * Returns { newest id, entries… }.
 */
const snapshotEntriesScript = (publish: string) => `${ENSURE_SEQUENCE}${storeEvent(publish)}
adopt_tail(ARGV[1], clock_floor(), tonumber(ARGV[2]), tonumber(ARGV[3]))
ensure_sequence(KEYS[1])
local reply = redis.call('LRANGE', KEYS[2], 0, -1)
table.insert(reply, 1, redis.call('GET', KEYS[1]))
return reply
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
