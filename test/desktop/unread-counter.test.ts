import { describe, expect, it } from 'vitest';
import { UnreadCounter } from '../../main/unread/unread-counter.js';

describe('unread counter (the badge)', () => {
  it('counts notifying events after the read marker, each once', () => {
    const counter = new UnreadCounter({ lastReadEventId: 10, unreadIds: [] });
    expect(counter.add(9)).toBe(false);
    expect(counter.add(10)).toBe(false);
    expect(counter.add(11)).toBe(true);
    expect(counter.add(11)).toBe(false);
    expect(counter.add(12)).toBe(true);
    expect(counter.count).toBe(2);
  });

  it('a notifications_read marker (any desk) removes what it covers', () => {
    const counter = new UnreadCounter();
    for (const id of [1, 2, 3, 4]) counter.add(id);
    expect(counter.markReadUpTo(2)).toBe(true);
    expect(counter.count).toBe(2);
    expect(counter.markReadUpTo(1)).toBe(false);
    expect(counter.lastReadEventId).toBe(2);
    expect(counter.add(2)).toBe(false);
    expect(counter.markReadUpTo(4)).toBe(true);
    expect(counter.count).toBe(0);
    expect(counter.markReadUpTo(7)).toBe(false);
  });

  it('round-trips through a snapshot, dropping ids the marker covers', () => {
    const counter = new UnreadCounter({ lastReadEventId: 5, unreadIds: [3, 6, 8] });
    expect(counter.count).toBe(2);
    expect(counter.snapshot()).toEqual({ lastReadEventId: 5, unreadIds: [6, 8] });
    const restored = new UnreadCounter(counter.snapshot());
    expect(restored.count).toBe(2);
  });
});
