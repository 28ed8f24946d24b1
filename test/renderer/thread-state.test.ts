import { describe, expect, it } from 'vitest';
import {
  LOADING_THREAD,
  threadReducer,
  type ThreadAction,
  type ThreadState,
} from '../../renderer/src/messages/thread-state.js';
import { message } from './support/render-app.js';

const ids = (state: ThreadState) => state.messages.map((item) => item.id);
const run = (actions: ThreadAction[], state = LOADING_THREAD) =>
  actions.reduce(threadReducer, state);
const page = (from: number, to: number, hasMore: boolean) => ({
  messages: Array.from({ length: to - from + 1 }, (_, index) => message(from + index)),
  hasMore,
});

describe('a conversation thread', () => {
  it('keeps each message once and in id order, however it arrived', () => {
    const state = run([
      { type: 'loaded', page: page(10, 12, false) },
      { type: 'received', messages: [message(14), message(12)] },
      { type: 'received', messages: [message(13), message(14)] },
    ]);
    expect(ids(state)).toEqual([10, 11, 12, 13, 14]);
  });

  it('leaves messages of the unloaded older stretch to the older pages, so no holes appear', () => {
    let state = run([
      { type: 'loaded', page: page(50, 60, true) },
      // A replay after reconnecting also carries older messages, but not this person's own replies.
      { type: 'received', messages: [message(20), message(61)] },
    ]);
    expect(ids(state)).toEqual([...Array.from({ length: 11 }, (_, index) => 50 + index), 61]);
    state = run(
      [{ type: 'older_started' }, { type: 'older_loaded', page: page(1, 49, false) }],
      state,
    );
    expect(ids(state)).toHaveLength(61);
    expect(state.hasMore).toBe(false);
  });

  it('keeps messages that came by event before the first page, when newer than it', () => {
    const state = run([
      { type: 'received', messages: [message(5), message(70)] },
      { type: 'loaded', page: page(60, 69, true) },
    ]);
    expect(ids(state)[0]).toBe(60);
    expect(ids(state).at(-1)).toBe(70);
  });

  it('after a long gap replaces what it shows with the newest page rather than joining across a hole', () => {
    const loaded = run([{ type: 'loaded', page: page(1, 10, false) }]);
    const joined = run([{ type: 'refreshed', page: page(5, 15, true) }], loaded);
    expect(ids(joined)).toEqual(Array.from({ length: 15 }, (_, index) => index + 1));
    const apart = run([{ type: 'refreshed', page: page(100, 149, true) }], loaded);
    expect(ids(apart)[0]).toBe(100);
    expect(apart.hasMore).toBe(true);
  });
});
