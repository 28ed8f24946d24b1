import type { SqlDatabase } from './db/sql-database.js';
import type { Role } from '../common/api.js';
import { hashPassword } from './auth/password.js';

export const DEMO_PASSWORD = 'clinicpulse';

export const DEMO_USERS: readonly { username: string; displayName: string; role: Role }[] = [
  { username: 'dr.smith', displayName: 'Dr. Sarah Smith', role: 'clinician' },
  { username: 'dr.patel', displayName: 'Dr. Raj Patel', role: 'clinician' },
  { username: 'nurse.jones', displayName: 'Nurse Ben Jones', role: 'nurse' },
  { username: 'frontdesk.lee', displayName: 'Mia Lee', role: 'front_desk' },
  { username: 'admin', displayName: 'Clinic IT Admin', role: 'admin' },
];

/** Conversations between the demo accounts; `from` is a username, `minutesAgo` dates each line. */
const DEMO_CONVERSATIONS: readonly {
  title: string | null;
  members: string[];
  lines: [string, number, string][];
}[] = [
  {
    title: null,
    members: ['dr.smith', 'nurse.jones'],
    lines: [
      ['nurse.jones', 95, 'Mr. Alvarez in room 3 is asking about his blood pressure readings.'],
      ['dr.smith', 90, 'Thanks Ben, I will see him after my 10:30.'],
      ['nurse.jones', 20, 'His vitals are in the chart now; BP 128/82.'],
    ],
  },
  {
    title: 'Lab results',
    members: ['dr.smith', 'dr.patel'],
    lines: [
      ['dr.patel', 240, 'Could you take a look at the lipid panel for Mrs. Chen?'],
      ['dr.smith', 230, 'LDL is up since March. Let us discuss at lunch.'],
      ['dr.patel', 15, 'Sounds good, 12:30 in the staff room.'],
    ],
  },
  {
    title: 'Front desk',
    members: ['frontdesk.lee', 'dr.patel', 'nurse.jones'],
    lines: [
      ['frontdesk.lee', 60, 'The 2 pm patient called, running about ten minutes late.'],
      ['dr.patel', 55, 'No problem, thanks Mia.'],
      ['frontdesk.lee', 5, 'Walk-in waiting: sore throat, no appointment. Can anyone fit them in?'],
    ],
  },
];

/**
 * On a database without users, creates the demo accounts (password `clinicpulse`) and a few
 * conversations between them. Returns whether it did; a database with any user is left alone.
 */
export async function loadDemoData(db: SqlDatabase, now = new Date()): Promise<boolean> {
  if (hasUsers(db)) return false;
  const hashes = await Promise.all(DEMO_USERS.map(() => hashPassword(DEMO_PASSWORD)));
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();

  const insert = db.transaction((): boolean => {
    // Another process may have filled the database while the hashes were computed.
    if (hasUsers(db)) return false;
    const addUser = db
      .prepare<[string, string, Role, string], number>(
        'INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?) RETURNING id',
      )
      .pluck();
    const ids = new Map<string, number>();
    DEMO_USERS.forEach((user, index) => {
      const id = addUser.get(user.username, user.displayName, user.role, hashes[index] as string);
      ids.set(user.username, id as number);
    });
    const idOf = (username: string) => ids.get(username) as number;

    const addConversation = db
      .prepare<[string | null, number, string, string], number>(
        'INSERT INTO conversations (title, created_by, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id',
      )
      .pluck();
    const addParticipant = db.prepare<[number, number, number]>(
      'INSERT INTO conversation_participants (conversation_id, user_id, last_read_message_id) VALUES (?, ?, ?)',
    );
    const addMessage = db
      .prepare<[number, number, string, string], number>(
        'INSERT INTO messages (conversation_id, sender_id, text, created_at) VALUES (?, ?, ?, ?) RETURNING id',
      )
      .pluck();
    for (const conversation of DEMO_CONVERSATIONS) {
      const first = conversation.lines[0] as [string, number, string];
      const last = conversation.lines.at(-1) as [string, number, string];
      const conversationId = addConversation.get(conversation.title, idOf(first[0]), at(first[1]), at(last[1])) as number;
      const messageIds = conversation.lines.map(
        ([from, minutesAgo, text]) => addMessage.get(conversationId, idOf(from), text, at(minutesAgo)) as number,
      );
      // Everyone has read all but the newest line, so each demo account starts with something unread.
      const lastId = messageIds.at(-1) as number;
      const readUpTo = messageIds.at(-2) ?? 0;
      for (const member of conversation.members) {
        addParticipant.run(conversationId, idOf(member), member === last[0] ? lastId : readUpTo);
      }
    }
    return true;
  });
  return insert.immediate();
}

function hasUsers(db: SqlDatabase): boolean {
  return db.prepare('SELECT 1 FROM users LIMIT 1').get() !== undefined;
}
