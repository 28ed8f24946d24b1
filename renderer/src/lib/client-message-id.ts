/**
 * A random id for a message being sent, so a retry after a lost answer is recognised by the
 * server instead of posting the text twice. `crypto.randomUUID` exists only in secure contexts,
 * and the web app may be opened over plain http on the clinic's network; getRandomValues works
 * everywhere.
 */
export function newClientMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
