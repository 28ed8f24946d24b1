/**
 * `npm run user -- <command>`: staff accounts for the clinic's IT admin, straight on the
 * database in DATA_DIR (the server may be running; SQLite takes turns). Exit code 0 on success,
 * 1 on any error, 2 on a usage mistake.
 */
import { config as loadDotenv } from 'dotenv';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { ZodType } from 'zod';
import {
  createUserRequest,
  role as roleSchema,
  updateUserRequest,
  type AdminUser,
} from '../../common/api.js';
import { ConfigError, loadConfig } from '../config.js';
import { openConfiguredDatabase } from '../db/database.js';
import { describeZodError } from '../http/errors.js';
import { AccountError, Accounts } from '../users/accounts.js';
import { DuplicateUsernameError } from '../users/user-store.js';

const USAGE = `Usage: npm run user -- <command>

  add USERNAME --name "Display Name" --role ROLE --password-stdin
  disable USERNAME
  enable USERNAME
  reset-password USERNAME --password-stdin
  list

ROLE is one of: ${roleSchema.options.join(', ')}.
--password-stdin reads the password from standard input (echo 'secret' | npm run user -- …),
or asks for it without echo when standard input is a terminal.
Disabling an account or resetting its password signs that user out everywhere at once.
The database is the one in DATA_DIR (from the environment or .env; default ./data).`;

const COMMANDS = ['add', 'disable', 'enable', 'reset-password', 'list'];

class UsageError extends Error {}

async function main(argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, username, ...extra] = positionals;
  if (values.help || !command) return USAGE;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (command !== 'list' && !username) throw new UsageError(`${command} needs a USERNAME`);

  loadDotenv({ quiet: true });
  const config = loadConfig();
  const db = openConfiguredDatabase(config);
  try {
    const accounts = new Accounts(db);
    const find = (name: string) => {
      const user = accounts.users.byUsername(name);
      if (!user) throw new Error(`no user named "${name}" (see: npm run user -- list)`);
      return user;
    };
    switch (command) {
      case 'list':
        return formatUsers(accounts.users.list());
      case 'add': {
        if (!values.name) throw new UsageError('add needs --name "Display Name"');
        if (!values.role)
          throw new UsageError(`add needs --role (${roleSchema.options.join(', ')})`);
        if (!values['password-stdin']) throw new UsageError('add needs --password-stdin');
        const request = validate(createUserRequest, {
          username,
          displayName: values.name,
          role: values.role,
          password: await readPassword(),
        });
        const user = await accounts.add(request);
        return `added ${user.username} (${user.displayName}, ${user.role}) with id ${user.id}`;
      }
      case 'disable':
      case 'enable': {
        const user = find(username as string);
        await accounts.update(user.id, { disabled: command === 'disable' });
        return `${command}d ${user.username}${command === 'disable' ? '; their sessions have ended' : ''}`;
      }
      case 'reset-password': {
        if (!values['password-stdin'])
          throw new UsageError('reset-password needs --password-stdin');
        const user = find(username as string);
        const request = validate(updateUserRequest, { password: await readPassword() });
        await accounts.update(user.id, request);
        return `password of ${user.username} reset; their sessions have ended`;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    db.close();
  }
}

function validate<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new Error(describeZodError(result.error));
  return result.data;
}

/** The whole of standard input without its final line break, or a hidden prompt on a terminal. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write('Password: ');
    const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
    const prompt = createInterface({ input: process.stdin, output: muted, terminal: true });
    const line = await new Promise<string>((resolve) => prompt.once('line', resolve));
    prompt.close();
    process.stderr.write('\n');
    return line;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text.length === 0) throw new Error('no password on standard input');
  return text;
}

function formatUsers(users: AdminUser[]): string {
  if (users.length === 0)
    return 'no users yet (add one: npm run user -- add USERNAME --name "…" --role admin --password-stdin)';
  const rows = [
    ['ID', 'USERNAME', 'NAME', 'ROLE', 'STATUS'],
    ...users.map((user) => [
      String(user.id),
      user.username,
      user.displayName,
      user.role,
      user.disabled ? 'disabled' : 'enabled',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

try {
  console.log(await main(process.argv.slice(2)));
} catch (error) {
  if (
    error instanceof UsageError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (
    error instanceof ConfigError ||
    error instanceof AccountError ||
    error instanceof DuplicateUsernameError
  ) {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
