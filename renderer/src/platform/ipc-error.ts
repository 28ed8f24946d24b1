/**
 * Electron wraps an error thrown by a main-process handler as
 * "Error invoking remote method 'channel': Error: <message>"; the person needs only the message.
 */
export function ipcErrorMessage(error: unknown, fallback: string): string {
  const message = error instanceof Error ? error.message : '';
  return message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '') || fallback;
}
