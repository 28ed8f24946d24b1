import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../main/cursor/atomic-file.js';
import { cursorPath } from '../../main/cursor/cursor-path.js';
import { CursorStore, MAX_REMEMBERED_IDS } from '../../main/cursor/cursor-store.js';

describe('cursor store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-cursor-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty and not caught up', async () => {
    const store = await CursorStore.open(join(dir, 'c.json'));
    expect(store.caughtUp).toBe(false);
    expect(store.lastEventId).toBeNull();
    expect(store.hasNotified(1)).toBe(false);
    expect(existsSync(join(dir, 'c.json'))).toBe(false);
  });

  it('a reopened store resumes at the saved id and remembers notified and unread ids', async () => {
    const path = join(dir, 'nested', 'c.json');
    const store = await CursorStore.open(path);
    store.advance(1764230000000001);
    store.advance(1764230000000003);
    store.advance(1764230000000002);
    store.setUnreadState({
      lastReadEventId: 1764230000000001,
      unreadIds: [1764230000000002, 1764230000000003],
      unreadMessages: [{ id: 1764230000000003, conversationId: '7', messageId: 42 }],
      readIds: [1764230000000001],
      marks: [{ id: 1764230000000002, read: false }],
    });
    store.markNotified(1764230000000003);
    await store.persist();
    expect((await CursorStore.open(path)).caughtUp).toBe(false);
    await store.markCaughtUp();

    const reopened = await CursorStore.open(path);
    expect(reopened.caughtUp).toBe(true);
    expect(reopened.lastEventId).toBe(1764230000000003);
    expect(reopened.hasNotified(1764230000000003)).toBe(true);
    expect(reopened.hasNotified(1764230000000002)).toBe(false);
    expect(reopened.unreadState).toEqual({
      lastReadEventId: 1764230000000001,
      unreadIds: [1764230000000002, 1764230000000003],
      unreadMessages: [{ id: 1764230000000003, conversationId: '7', messageId: 42 }],
      readIds: [1764230000000001],
      marks: [{ id: 1764230000000002, read: false }],
    });
  });

  it('reads a file written before unread messages were remembered', async () => {
    const path = join(dir, 'older.json');
    const older = {
      version: 1,
      caughtUp: true,
      lastEventId: 9,
      notifiedIds: [9],
      lastReadEventId: 7,
      unreadIds: [8, 9],
    };
    writeFileSync(path, JSON.stringify(older));
    const store = await CursorStore.open(path);
    expect(store.lastEventId).toBe(9);
    expect(store.unreadState).toEqual({
      lastReadEventId: 7,
      unreadIds: [8, 9],
      unreadMessages: [],
      readIds: [],
      marks: [],
    });
  });

  it('writes atomically: no temporary files are left, and the file is private to the user', async () => {
    const path = join(dir, 'c.json');
    const store = await CursorStore.open(path);
    store.advance(5);
    await store.persist();
    expect(readdirSync(dir)).toEqual(['c.json']);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 1, lastEventId: 5 });
  });

  it('persists asked for together are one write, and the last state wins', async () => {
    const path = join(dir, 'c.json');
    let writes = 0;
    const store = await CursorStore.open(path, (target, content) => {
      writes += 1;
      return writeFileAtomic(target, content);
    });
    const persisted: Promise<void>[] = [];
    for (let id = 1; id <= 300; id++) {
      store.advance(id);
      store.markNotified(id);
      persisted.push(store.persist());
    }
    await Promise.all(persisted);
    expect(writes).toBe(1);
    const reopened = await CursorStore.open(path);
    expect(reopened.lastEventId).toBe(300);
    for (let id = 1; id <= 300; id++) expect(reopened.hasNotified(id)).toBe(true);
  });

  it('keeps only the newest notified ids', async () => {
    const path = join(dir, 'c.json');
    const store = await CursorStore.open(path);
    for (let id = 1; id <= MAX_REMEMBERED_IDS + 10; id++) store.markNotified(id);
    await store.persist();
    const reopened = await CursorStore.open(path);
    expect(reopened.hasNotified(10)).toBe(false);
    expect(reopened.hasNotified(11)).toBe(true);
    expect(reopened.hasNotified(MAX_REMEMBERED_IDS + 10)).toBe(true);
  });

  it('an unreadable file is set aside and treated as a first sign-in', async () => {
    const path = join(dir, 'c.json');
    writeFileSync(path, '{"version":1,"lastEventId":"ten"');
    const store = await CursorStore.open(path);
    expect(store.caughtUp).toBe(false);
    expect(store.lastEventId).toBeNull();
    expect(readdirSync(dir).some((name) => name.startsWith('c.json.unreadable-'))).toBe(true);
  });

  it('has one file per server and user', () => {
    const a = cursorPath(dir, 'https://clinic.example:8443/', 3);
    expect(a).toBe(join(dir, 'cursors', 'clinic.example_8443-user-3.json'));
    expect(cursorPath(dir, 'http://127.0.0.1:5000', 4)).not.toBe(
      cursorPath(dir, 'http://127.0.0.1:5000', 3),
    );
  });
});

describe('atomic file replacement while another program holds the file (Windows antivirus)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Stands in for Windows refusing a rename over a file a scanner has open: EPERM `times` times. */
  function heldBriefly(times: number) {
    let refusals = 0;
    return async (from: string, to: string) => {
      if (refusals < times) {
        refusals++;
        throw Object.assign(new Error(`EPERM: operation not permitted, rename '${from}'`), {
          code: 'EPERM',
        });
      }
      await rename(from, to);
    };
  }

  it('retries the rename and writes the new content once the file is released', async () => {
    const path = join(dir, 'cursor.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new', 0o600, heldBriefly(3));
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['cursor.json']);
  });

  it('gives up on a hold that lasts, keeps the old content and leaves no temporary file', async () => {
    const path = join(dir, 'cursor.json');
    writeFileSync(path, 'old');
    await expect(writeFileAtomic(path, 'new', 0o600, heldBriefly(100))).rejects.toThrow('EPERM');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['cursor.json']);
  });
});
