import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../cursor/atomic-file.js';
import { linkForAcknowledge, type NotificationLink } from './notification-link.js';

const KEY_FILE = 'link-key';
const KEY = /^[0-9a-f]{64}$/;

/**
 * Makes and checks the links behind the Acknowledge button of an urgent pop-up on Windows. Any
 * web page or document on the desk can open a `clinicpulse://` link, and acknowledging stops an
 * urgent alert on every desk of every recipient; so the link carries an HMAC of its alert id
 * under a key only this installation holds. The key lives in the user data folder, so a toast
 * left in the Action Center still acknowledges after the app restarted.
 */
export class AcknowledgeLinks {
  private constructor(private readonly key: Buffer) {}

  static async load(dataDirectory: string): Promise<AcknowledgeLinks> {
    const path = join(dataDirectory, KEY_FILE);
    const saved = (await readFileIfExists(path))?.trim();
    if (saved && KEY.test(saved)) return new AcknowledgeLinks(Buffer.from(saved, 'hex'));
    const key = randomBytes(32);
    await writeFileAtomic(path, key.toString('hex'));
    return new AcknowledgeLinks(key);
  }

  linkFor(alertId: number): string {
    return linkForAcknowledge(alertId, this.signature(alertId));
  }

  /** Whether this installation made the link. */
  madeHere(link: Extract<NotificationLink, { kind: 'acknowledge' }>): boolean {
    return timingSafeEqual(
      Buffer.from(this.signature(link.alertId), 'hex'),
      Buffer.from(link.signature, 'hex'),
    );
  }

  private signature(alertId: number): string {
    return createHmac('sha256', this.key)
      .update(`acknowledge:${alertId}`)
      .digest()
      .subarray(0, 16)
      .toString('hex');
  }
}
