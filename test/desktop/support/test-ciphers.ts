import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../../main/session/secret-cipher.js';

/** Stands in for the OS keyring behind safeStorage: real AES-GCM under a key the "OS" keeps. */
export function keyringCipher(key: Buffer = randomBytes(32)): SecretCipher {
  return {
    unavailableReason: () => null,
    encrypt(plainText) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const encrypted = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), encrypted]);
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/** Linux with safeStorage's `basic_text` backend: nothing may be kept. */
export function basicTextCipher(
  reason = 'no secure password store on this computer',
): SecretCipher {
  return {
    unavailableReason: () => reason,
    encrypt: () => {
      throw new Error('must not be called without a secret store');
    },
    decrypt: () => {
      throw new Error('must not be called without a secret store');
    },
  };
}

/** A secret store that exists but refuses to encrypt: macOS "Deny", a locked Linux keyring. */
export function refusingKeychainCipher(message: string): SecretCipher {
  return {
    unavailableReason: () => null,
    encrypt: () => {
      throw new Error(message);
    },
    decrypt: () => {
      throw new Error('nothing was ever encrypted');
    },
  };
}
