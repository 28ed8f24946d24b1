import { rename } from 'node:fs/promises';
import { z } from 'zod';
import { eventId } from '../../common/events.js';
import type { NotifiedLedger } from '../notify/notifier.js';
import { readFileIfExists, writeFileAtomic, type DurableWrite } from './atomic-file.js';
import { safeJson } from '../../common/safe-json.js';

/** Ids only grow, so the newest ones are all a replay can repeat; older ones are below the cursor. */
export const MAX_REMEMBERED_IDS = 2_000;
/** How far past MAX_REMEMBERED_IDS memory may grow before the oldest are let go. */
const TRIM_STEP = 500;

const cursorFile = z.object({
  version: z.literal(1),
  /** False until the first connection as this user on this desk has replayed what was waiting. */
  caughtUp: z.boolean(),
  lastEventId: z.number().int().nonnegative().nullable(),
  notifiedIds: z.array(eventId).max(MAX_REMEMBERED_IDS),
  lastReadEventId: z.number().int().nonnegative(),
  unreadIds: z.array(eventId),
  /**
   * The conversation message each unread message notification announces, so that reading the
   * conversation on any desk takes it off the badge, also after a restart. Absent in files
   * written before it existed.
   */
  unreadMessages: z
    .array(
      z.object({
        id: eventId,
        conversationId: z.string().min(1).max(64),
        messageId: z.number().int().positive(),
      }),
    )
    .default([]),
  /** Notifying events received and read, so that marking one unread on any desk counts it again. */
  readIds: z.array(eventId).default([]),
  /** Notifications marked read or unread one by one (`notifications_marked`): each overrides the rest. */
  marks: z.array(z.object({ id: eventId, read: z.boolean() })).default([]),
});
export type CursorSnapshot = Omit<z.infer<typeof cursorFile>, 'version'>;
export type UnreadSnapshot = Pick<
  CursorSnapshot,
  'lastReadEventId' | 'unreadIds' | 'unreadMessages' | 'readIds' | 'marks'
>;

/**
 * One user's place in their event stream on this desk, in one file written atomically: the
 * last event id received (sent as `Last-Event-ID` after a restart), the ids already notified
 * (so none pops up twice, even when a replay repeats it) and the unread state (the badge). They
 * change together per event, so they are written together.
 */
export class CursorStore implements NotifiedLedger {
  private caught: boolean;
  private lastId: number | null;
  private readonly notified: Set<number>;
  private unread: UnreadSnapshot;
  private queuedWrite: Promise<void> | undefined;
  private writeInFlight: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    snapshot: CursorSnapshot,
    private readonly write: DurableWrite,
  ) {
    this.caught = snapshot.caughtUp;
    this.lastId = snapshot.lastEventId;
    this.notified = new Set(snapshot.notifiedIds);
    this.unread = copyUnread(snapshot);
  }

  static async open(path: string, write: DurableWrite = writeFileAtomic): Promise<CursorStore> {
    const text = await readFileIfExists(path);
    if (text === undefined) return new CursorStore(path, emptySnapshot(), write);
    const parsed = cursorFile.safeParse(safeJson(text));
    if (parsed.success) return new CursorStore(path, parsed.data, write);
    // Kept for inspection; starting as a first sign-in holds the replayed backlog back, so an
    // unreadable file can cost pop-ups but cannot repeat them.
    await rename(path, `${path}.unreadable-${Date.now()}`);
    return new CursorStore(path, emptySnapshot(), write);
  }

  /**
   * False on the first sign-in as this user on this desk (or after an unreadable file) until
   * `markCaughtUp`: what the server replays before that was waiting before this desk knew the
   * user, so it is counted but not popped up, also if the app restarts in the middle.
   */
  get caughtUp(): boolean {
    return this.caught;
  }

  markCaughtUp(): Promise<void> {
    this.caught = true;
    return this.persist();
  }

  get lastEventId(): number | null {
    return this.lastId;
  }

  /** Moves the cursor forward (never back) to an event that has been handled. */
  advance(id: number): void {
    if (this.lastId === null || id > this.lastId) this.lastId = id;
  }

  /** After a `resync` the server continues from its own position, which may be below ours. */
  resetTo(id: number): void {
    this.lastId = id;
  }

  hasNotified(id: number): boolean {
    return this.notified.has(id);
  }

  /** Marks the id notified in memory; the next `persist` writes it. */
  markNotified(id: number): void {
    this.notified.add(id);
    // Trimmed in steps rather than per id: sorting thousands of ids for every event of a burst
    // cost more than everything else the burst did.
    if (this.notified.size >= MAX_REMEMBERED_IDS + TRIM_STEP) this.keepNewestNotified();
  }

  private keepNewestNotified(): void {
    const sorted = [...this.notified].sort((a, b) => a - b);
    for (const stale of sorted.slice(0, sorted.length - MAX_REMEMBERED_IDS))
      this.notified.delete(stale);
  }

  get unreadState(): UnreadSnapshot {
    return copyUnread(this.unread);
  }

  setUnreadState(state: UnreadSnapshot): void {
    this.unread = copyUnread(state);
  }

  snapshot(): CursorSnapshot {
    return {
      caughtUp: this.caught,
      lastEventId: this.lastId,
      notifiedIds: [...this.notified].sort((a, b) => a - b).slice(-MAX_REMEMBERED_IDS),
      ...this.unreadState,
    };
  }

  /**
   * Resolves once a write that began after this call is on disk. Calls made while a write is
   * waiting share it, and the content is taken when the write begins, so everything changed
   * meanwhile goes in that one write (group commit).
   */
  persist(): Promise<void> {
    if (this.queuedWrite) return this.queuedWrite;
    const previous = this.writeInFlight ?? Promise.resolve();
    const write: Promise<void> = previous
      .catch(() => undefined)
      .then(() => {
        this.queuedWrite = undefined;
        this.writeInFlight = write;
        return this.write(this.path, JSON.stringify({ version: 1, ...this.snapshot() }));
      })
      .finally(() => {
        if (this.writeInFlight === write) this.writeInFlight = undefined;
      });
    this.queuedWrite = write;
    return write;
  }
}

function emptySnapshot(): CursorSnapshot {
  return {
    caughtUp: false,
    lastEventId: null,
    notifiedIds: [],
    lastReadEventId: 0,
    unreadIds: [],
    unreadMessages: [],
    readIds: [],
    marks: [],
  };
}

function copyUnread(state: UnreadSnapshot): UnreadSnapshot {
  return {
    lastReadEventId: state.lastReadEventId,
    unreadIds: [...state.unreadIds],
    unreadMessages: state.unreadMessages.map((message) => ({ ...message })),
    readIds: [...state.readIds],
    marks: state.marks.map((mark) => ({ ...mark })),
  };
}

