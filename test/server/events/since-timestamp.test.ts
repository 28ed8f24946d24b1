import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../common/sse.js';
import { replayAfterTimestamp } from '../../../server/events/since-timestamp.js';

const entry = (id: number, timestamp: string | number) => JSON.stringify({ id, type: 'system_notification', content: `n${id}`, timestamp });

function ids(entries: string[], since: string): number[] {
  const replay = replayAfterTimestamp(entries, since);
  const seen: number[] = [];
  new SseParser({ onMessage: (m) => seen.push(Number(m.id)) }).push(replay.frames);
  expect(replay.count).toBe(seen.length);
  expect(replay.lastId).toBe(seen.at(-1) ?? null);
  return seen;
}

describe('resuming by timestamp (the original system’s ?since=)', () => {
  it('replays what came after the event carrying the timestamp, also when timestamps do not grow along the history', () => {
    // An event adopted from the original publisher keeps its own (older) timestamp: 3 after 2.
    const history = [entry(1, '2025-01-20T10:00:00.000Z'), entry(2, '2025-01-20T10:00:05.000Z'), entry(3, '1737367200.5'), entry(4, '2025-01-20T10:00:06.000Z')];
    expect(ids(history, '2025-01-20T10:00:05.000Z')).toEqual([3, 4]);
    expect(ids(history, '1737367200.5')).toEqual([4]);
    expect(ids(history, '2025-01-20T10:00:06.000Z')).toEqual([]);
  });

  it('falls back to the original rule, a later timestamp, compared as instants, when no event carries it', () => {
    const history = [entry(1, '2025-01-20T10:00:00.000Z'), entry(2, '1737367205'), entry(3, '2025-01-20T10:00:09.000Z')];
    // 1737367205 s is 2025-01-20T10:00:05Z.
    expect(ids(history, '2025-01-20T10:00:03.000Z')).toEqual([2, 3]);
    expect(ids(history, '2025-01-20T10:00:07Z')).toEqual([3]);
    expect(ids(history, '1737367201')).toEqual([2, 3]);
  });

  it('matches a timestamp whose + the URL turned into a space, and skips entries that are not events', () => {
    const history = [entry(1, '2025-01-20 10:00:00+00:00'), 'not an event', '{"history_after":5}', entry(2, '2025-01-20 10:00:01+00:00')];
    expect(ids(history, '2025-01-20 10:00:00 00:00')).toEqual([2]);
  });

  it('takes the first of two events with the same timestamp: a repeat rather than a loss', () => {
    const history = [entry(1, 't1'), entry(2, 't2'), entry(3, 't2'), entry(4, 't3')];
    expect(ids(history, 't2')).toEqual([3, 4]);
  });
});
