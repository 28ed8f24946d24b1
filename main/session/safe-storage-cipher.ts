import { safeStorage } from 'electron';
import type { SecretCipher } from './secret-cipher.js';

export const NO_SECRET_STORE_NOTICE =
  'This computer has no secure password store (such as GNOME Keyring or KWallet), so ClinicPulse does not keep your sign-in: you will sign in again each time the app starts.';

/** `safeStorage` as a SecretCipher; `basic_text` on Linux would be plain text, so it counts as none. */
export const safeStorageCipher: SecretCipher = {
  unavailableReason() {
    if (!safeStorage.isEncryptionAvailable()) return NO_SECRET_STORE_NOTICE;
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
      return NO_SECRET_STORE_NOTICE;
    return null;
  },
  encrypt: (plainText) => safeStorage.encryptString(plainText),
  decrypt: (encrypted) => safeStorage.decryptString(encrypted),
};
