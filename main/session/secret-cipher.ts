/**
 * Encryption by the OS's secret store (Keychain, DPAPI, libsecret/kwallet), as Electron's
 * `safeStorage` offers it. Kept as an interface so the session logic runs under Node.
 */
export interface SecretCipher {
  /** Why a secret cannot be kept safely on this computer, or null when it can. */
  unavailableReason(): string | null;
  encrypt(plainText: string): Buffer;
  decrypt(encrypted: Buffer): string;
}
