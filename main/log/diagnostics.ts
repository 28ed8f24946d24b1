import type { DesktopState } from '../../common/desktop-bridge.js';

export interface DiagnosticsInput {
  appVersion: string;
  versions: Partial<Record<'electron' | 'chrome' | 'node', string>>;
  platform: string;
  osRelease: string;
  packaged: boolean;
  state: DesktopState;
  /** What the updater last said, in words ("off: …", "ready: 0.2.0"…). */
  updates: string;
  paths: { userData: string; logs: string; crashDumps: string };
  logTail: string;
  now: Date;
}

/**
 * What "Copy diagnostics" puts on the clipboard for the clinic's IT: versions, where the files
 * are, the connection and settings, and the end of the log. The token is never in the state,
 * and the log holds no message text, so this can be pasted into a ticket.
 */
export function diagnosticsReport(input: DiagnosticsInput): string {
  const { state } = input;
  return [
    `ClinicPulse ${input.appVersion} diagnostics, ${input.now.toISOString()}`,
    `Electron ${input.versions.electron ?? '?'}, Chromium ${input.versions.chrome ?? '?'}, Node ${input.versions.node ?? '?'}`,
    `OS: ${input.platform} ${input.osRelease}${input.packaged ? '' : ' (development build)'}`,
    `Server: ${state.serverUrl ?? 'not set'}`,
    `Signed in: ${state.session ? `${state.session.user.username} (user ${state.session.user.id}, ${state.session.user.role})` : 'no'}`,
    `Connection: ${state.connection.status}${state.connection.detail ? ` — ${state.connection.detail}` : ''}`,
    `Unread: ${state.unreadCount}`,
    `Notice: ${state.notice ?? 'none'}`,
    `Settings: ${JSON.stringify(state.settings)}`,
    `Updates: ${input.updates}`,
    `User data: ${input.paths.userData}`,
    `Logs: ${input.paths.logs}`,
    `Crash reports (kept on this computer): ${input.paths.crashDumps}`,
    '',
    '--- end of main.log ---',
    input.logTail.trimEnd(),
    '',
  ].join('\n');
}
