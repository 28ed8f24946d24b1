/**
 * Migrations, applied in order and recorded in `schema_migrations`. Append new ones; never edit
 * one that has shipped, since clinics' databases already carry it.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
        display_name  TEXT    NOT NULL,
        role          TEXT    NOT NULL CHECK (role IN ('clinician', 'nurse', 'front_desk', 'admin')),
        password_hash TEXT    NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      -- The token itself is never stored: only its SHA-256, so a copied database opens no session.
      CREATE TABLE sessions (
        id         INTEGER PRIMARY KEY,
        token_hash TEXT    NOT NULL UNIQUE,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        expires_at TEXT    NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);

      CREATE TABLE conversations (
        id         INTEGER PRIMARY KEY,
        title      TEXT,
        created_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      CREATE TABLE conversation_participants (
        conversation_id      INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id              INTEGER NOT NULL REFERENCES users(id),
        last_read_message_id INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (conversation_id, user_id)
      );
      CREATE INDEX conversation_participants_user ON conversation_participants(user_id);

      CREATE TABLE messages (
        id                INTEGER PRIMARY KEY,
        conversation_id   INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        sender_id         INTEGER NOT NULL REFERENCES users(id),
        text              TEXT    NOT NULL,
        client_message_id TEXT,
        created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE INDEX messages_conversation ON messages(conversation_id, id);
      CREATE UNIQUE INDEX messages_client_id ON messages(sender_id, client_message_id)
        WHERE client_message_id IS NOT NULL;

      CREATE TABLE appointments (
        id                    INTEGER PRIMARY KEY,
        time                  TEXT    NOT NULL,
        content               TEXT    NOT NULL,
        reminder_lead_minutes INTEGER NOT NULL,
        remind_at             TEXT    NOT NULL,
        reminder_sent_at      TEXT,
        created_by            INTEGER NOT NULL REFERENCES users(id),
        created_at            TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE INDEX appointments_time ON appointments(time);

      CREATE TABLE appointment_reminders (
        appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
        user_id        INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (appointment_id, user_id)
      );

      -- Events written in the same transaction as the change they announce; the relay publishes
      -- them to Redis and deletes them. dedupe_key makes a publish repeated after a crash a no-op.
      CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        payload    TEXT    NOT NULL,
        dedupe_key TEXT    NOT NULL UNIQUE,
        attempts   INTEGER NOT NULL DEFAULT 0,
        created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
    `,
  },
  {
    version: 2,
    name: 'outbox_sent',
    sql: `
      -- Outbox rows once published, kept for REDIS_LOSS_WINDOW_SECONDS: Redis may still lose an
      -- acknowledged write (a machine crash before fsync, a promoted replica); whatever of these
      -- it no longer holds is published again when the connection is ready. Ids are in the
      -- order the rows were published.
      CREATE TABLE outbox_sent (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        payload    TEXT    NOT NULL,
        dedupe_key TEXT    NOT NULL,
        sent_at    TEXT    NOT NULL
      );
      CREATE INDEX outbox_sent_at ON outbox_sent(sent_at);
    `,
  },
  {
    version: 3,
    name: 'system_notices',
    sql: `
      -- Each notice an admin sent: the admin console's history, and what a second publish after
      -- a Redis loss repeats (recipient_ids, in the order they were published to). sent_at is
      -- set once Redis took it; a notice Redis refused is deleted again.
      CREATE TABLE system_notices (
        id            INTEGER PRIMARY KEY,
        content       TEXT    NOT NULL,
        audience      TEXT    NOT NULL CHECK (audience IN ('everyone', 'role', 'people')),
        role          TEXT,
        user_ids      TEXT,
        recipient_ids TEXT    NOT NULL,
        recipients    INTEGER NOT NULL,
        sent_by       INTEGER NOT NULL REFERENCES users(id),
        created_at    TEXT    NOT NULL,
        sent_at       TEXT
      );
      CREATE INDEX system_notices_sent_at ON system_notices(sent_at);
    `,
  },
  {
    version: 10,
    name: 'message priority',
    sql: `
      ALTER TABLE messages ADD COLUMN priority TEXT NOT NULL DEFAULT 'routine' CHECK (priority IN ('routine', 'urgent'));
    `,
  },
  {
    version: 11,
    name: 'alerts, recipients, desks and receipts',
    sql: `
      -- One row per thing that alerts people and asks for receipts: a message, a reminder, a
      -- notice, an escalation. sender_id hears of the receipts (the appointment's creator for a
      -- reminder, the admin for a notice). version grows with every fact recorded about it.
      CREATE TABLE alerts (
        id                   INTEGER PRIMARY KEY,
        kind                 TEXT    NOT NULL CHECK (kind IN ('message', 'reminder', 'notice', 'escalation')),
        priority             TEXT    NOT NULL CHECK (priority IN ('routine', 'urgent')),
        sender_id            INTEGER REFERENCES users(id),
        conversation_id      INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
        message_id           INTEGER UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
        appointment_id       INTEGER UNIQUE REFERENCES appointments(id) ON DELETE CASCADE,
        summary              TEXT    NOT NULL,
        created_at           TEXT    NOT NULL,
        version              INTEGER NOT NULL DEFAULT 0,
        acknowledged_at      TEXT,
        acknowledged_by      INTEGER REFERENCES users(id),
        acknowledged_desk_id TEXT
      );
      CREATE INDEX alerts_created ON alerts(created_at);
      CREATE INDEX alerts_conversation ON alerts(conversation_id, id);

      CREATE TABLE alert_recipients (
        alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        user_id  INTEGER NOT NULL REFERENCES users(id),
        via_role TEXT,
        PRIMARY KEY (alert_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX alert_recipients_user ON alert_recipients(user_id, alert_id);

      -- A desk is one installation of the app or one browser profile; its id is its own choice.
      CREATE TABLE desks (
        id           TEXT    PRIMARY KEY,
        name         TEXT    NOT NULL,
        last_user_id INTEGER REFERENCES users(id),
        last_seen_at TEXT    NOT NULL
      ) WITHOUT ROWID;

      -- Each state once per alert, recipient and desk. desk_id '' is "no one desk" (read, which
      -- follows the person's read position).
      CREATE TABLE alert_receipts (
        id       INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        user_id  INTEGER NOT NULL REFERENCES users(id),
        desk_id  TEXT    NOT NULL,
        state    TEXT    NOT NULL CHECK (state IN ('delivered', 'shown', 'held', 'read', 'acknowledged')),
        reason   TEXT,
        event_id INTEGER,
        at       TEXT    NOT NULL,
        UNIQUE (alert_id, user_id, desk_id, state)
      );
    `,
  },
  {
    version: 12,
    name: 'clinic alert settings, on duty, escalation',
    sql: `
      CREATE TABLE clinic_settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      -- Who is on duty for their role now; the row goes when they go off duty.
      CREATE TABLE on_duty (
        user_id INTEGER PRIMARY KEY REFERENCES users(id),
        since   TEXT    NOT NULL,
        set_by  INTEGER NOT NULL REFERENCES users(id)
      );

      -- An urgent alert's escalation, copied from the clinic's settings when it was sent
      -- (escalation_snapshot, JSON), and the one step that may act next: escalation_step steps
      -- have run, step escalation_step + 1 is due at escalation_due_at (ms since the epoch; NULL
      -- when nothing is due any more). A timer for any other step is stale and does nothing.
      ALTER TABLE alerts ADD COLUMN escalation_snapshot TEXT;
      ALTER TABLE alerts ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE alerts ADD COLUMN escalation_due_at INTEGER;
      ALTER TABLE alerts ADD COLUMN escalated_at TEXT;
      ALTER TABLE alerts ADD COLUMN escalation_outcome TEXT;
      ALTER TABLE alerts ADD COLUMN escalated_from INTEGER REFERENCES alerts(id) ON DELETE SET NULL;
      CREATE INDEX alerts_escalation_due ON alerts(escalation_due_at) WHERE escalation_due_at IS NOT NULL;
      CREATE INDEX alerts_escalated_from ON alerts(escalated_from) WHERE escalated_from IS NOT NULL;
    `,
  },
  {
    version: 13,
    name: 'alerts of notices',
    sql: `
      -- A notice's alert goes with it: a notice Redis refused is deleted, and with it its alert.
      ALTER TABLE alerts ADD COLUMN notice_id INTEGER REFERENCES system_notices(id) ON DELETE CASCADE;
      CREATE UNIQUE INDEX alerts_notice ON alerts(notice_id) WHERE notice_id IS NOT NULL;
    `,
  },
  {
    // Issue 13. A trigger rather than a write in the sign-in route: every session ever created
    // is a sign-in, whichever code path creates it, and the sessions themselves are deleted on
    // sign-out, so they cannot answer "when did this person last sign in".
    version: 20,
    name: 'users last sign-in',
    sql: `
      ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
      UPDATE users SET last_sign_in_at = (SELECT max(created_at) FROM sessions WHERE user_id = users.id);
      CREATE TRIGGER sessions_record_sign_in AFTER INSERT ON sessions
      BEGIN
        UPDATE users SET last_sign_in_at = NEW.created_at WHERE id = NEW.user_id;
      END;
    `,
  },
  {
    // Issue 13: notifications read or unread one by one, on every desk; they override the
    // user's read marker (Redis user:<id>:read) for exactly these event ids.
    version: 22,
    name: 'notification marks',
    sql: `
      CREATE TABLE notification_marks (
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        event_id   INTEGER NOT NULL,
        read       INTEGER NOT NULL CHECK (read IN (0, 1)),
        updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (user_id, event_id)
      );
    `,
  },
  {
    // Issue 13: an appointment cancelled by its creator stays readable (a reminder may link to
    // it) but is no longer listed as upcoming and sends no reminder.
    version: 23,
    name: 'appointments cancelled',
    sql: `ALTER TABLE appointments ADD COLUMN cancelled_at TEXT;`,
  },
  {
    // Issue 13: the settings that follow a person to any desk (privacy, do-not-disturb, quiet
    // hours, sound), as the JSON of common/api.ts personalSettings.
    version: 24,
    name: 'personal settings',
    sql: `
      CREATE TABLE user_settings (
        user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        settings   TEXT    NOT NULL,
        updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
    `,
  },
  {
    // Issue 13: full-text search over messages (SQLite FTS5), kept in step by triggers, so
    // every way a message is written, edited or deleted is indexed.
    version: 25,
    name: 'message search',
    sql: `
      CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages;
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
      END;
    `,
  },
  {
    // Issue 13: a person may mute a conversation: its messages still count as unread, but
    // raise no pop-up.
    version: 26,
    name: 'conversations muted',
    sql: `ALTER TABLE conversation_participants ADD COLUMN muted INTEGER NOT NULL DEFAULT 0 CHECK (muted IN (0, 1));`,
  },
  {
    // Issue 13: a sender edits or deletes their own message within a short window, the old
    // text kept in message_edits (receipts and audit keep the history); anyone in the
    // conversation acknowledges a message with a 👍.
    version: 27,
    name: 'message edits and acknowledgements',
    sql: `
      ALTER TABLE messages ADD COLUMN edited_at TEXT;
      ALTER TABLE messages ADD COLUMN deleted_at TEXT;
      CREATE TABLE message_edits (
        id         INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        change     TEXT    NOT NULL CHECK (change IN ('edited', 'deleted')),
        old_text   TEXT    NOT NULL,
        changed_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE TABLE message_acknowledgements (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id    INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (message_id, user_id)
      );
    `,
  },
  {
    // Issue 13: a message may answer an earlier one of the same conversation, shown quoted.
    version: 28,
    name: 'message replies',
    sql: `ALTER TABLE messages ADD COLUMN reply_to_id INTEGER REFERENCES messages(id);`,
  },
];
