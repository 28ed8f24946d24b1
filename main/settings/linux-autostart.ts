import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Start at login on Linux, where Electron's `setLoginItemSettings` does nothing: an XDG
 * autostart entry in `~/.config/autostart`. `--hidden` starts the app in the tray only.
 */
export function autostartEntry(executable: string): string {
  const quoted = /[\s"'\\$`]/.test(executable)
    ? `"${executable.replace(/(["\\$`])/g, '\\$1')}"`
    : executable;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=ClinicPulse',
    'Comment=Notifications for clinic staff',
    `Exec=${quoted} --hidden`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}

export async function setLinuxAutostart(
  configDirectory: string,
  executable: string,
  enabled: boolean,
): Promise<void> {
  const path = join(configDirectory, 'autostart', 'clinicpulse.desktop');
  if (!enabled) {
    await rm(path, { force: true });
    return;
  }
  await mkdir(join(configDirectory, 'autostart'), { recursive: true });
  await writeFile(path, autostartEntry(executable), { mode: 0o644 });
}
