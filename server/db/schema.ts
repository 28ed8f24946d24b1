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
];
