import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { role, type User } from '../../common/api.js';
import { readFileIfExists, writeFileAtomic } from '../cursor/atomic-file.js';
import type { SecretCipher } from './secret-cipher.js';
import { safeJson } from '../../common/safe-json.js';

const sessionFile = z.object({
  version: z.literal(1),
  serverUrl: z.url({ protocol: /^https?$/ }),
  user: z.object({
    id: z.number().int().positive(),
    username: z.string(),
    displayName: z.string(),
    role,
  }),
  /** The bearer token encrypted by the OS (base64), or null where the OS keeps no secrets. */
  encryptedToken: z.string().nullable(),
  expiresAt: z.string(),
});

const NOT_KEPT_LAST_TIME =
  "Your last sign-in was not kept on this computer (the system's password store refused it). Please sign in again.";

export interface StoredSession {
  serverUrl: string;
  user: User;
  /** Null when the token could not be kept; the user signs in again. */
  token: string | null;
  expiresAt: string;
  /** Why the user must sign in again, when they must. */
  notice: string | null;
}

/**
 * The signed-in session on disk. The token is written only encrypted by the OS's secret store;
 * where there is none (Linux's `basic_text` backend would store it as plain text) it is not
 * written at all, and the next start asks the user to sign in again, saying why. The server and
 * user are kept either way, so the sign-in form is filled in.
 */
export class SessionStore {
  constructor(
    private readonly path: string,
    private readonly cipher: SecretCipher,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<StoredSession | null> {
    const text = await readFileIfExists(this.path);
    if (text === undefined) return null;
    const parsed = sessionFile.safeParse(safeJson(text));
    if (!parsed.success) {
      await this.clear();
      return null;
    }
    const { serverUrl, user, encryptedToken, expiresAt } = parsed.data;
    const reason = this.cipher.unavailableReason();
    if (encryptedToken === null)
      return { serverUrl, user, token: null, expiresAt, notice: reason ?? NOT_KEPT_LAST_TIME };
    if (reason) return { serverUrl, user, token: null, expiresAt, notice: reason };
    if (Date.parse(expiresAt) <= this.now())
      return {
        serverUrl,
        user,
        token: null,
        expiresAt,
        notice: 'Your session has expired. Please sign in again.',
      };
    try {
      return {
        serverUrl,
        user,
        token: this.cipher.decrypt(Buffer.from(encryptedToken, 'base64')),
        expiresAt,
        notice: null,
      };
    } catch {
      return {
        serverUrl,
        user,
        token: null,
        expiresAt,
        notice: 'Your saved sign-in could not be read. Please sign in again.',
      };
    }
  }

  /** Returns why the token was not kept, or null when it was. */
  async save(session: {
    serverUrl: string;
    user: User;
    token: string;
    expiresAt: string;
  }): Promise<string | null> {
    let reason = this.cipher.unavailableReason();
    let encryptedToken: string | null = null;
    if (!reason) {
      try {
        encryptedToken = this.cipher.encrypt(session.token).toString('base64');
      } catch (error) {
        // macOS "Deny" on the Keychain prompt, a locked or broken Linux keyring: the sign-in
        // itself worked, so it holds for this run and only the saving is skipped.
        reason = keychainRefusedNotice(error);
      }
    }
    await writeFileAtomic(
      this.path,
      JSON.stringify({
        version: 1,
        serverUrl: session.serverUrl,
        user: session.user,
        encryptedToken,
        expiresAt: session.expiresAt,
      }),
    );
    return reason;
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

export function keychainRefusedNotice(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return `The system's password store refused to keep your sign-in (${detail}), so you stay signed in only until ClinicPulse quits and will be asked again at the next start.`;
}

