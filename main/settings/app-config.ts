import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What a clinic's IT admin presets at install time. Looked up, first match wins:
 * 1. the `CLINICPULSE_SERVER_URL` environment variable (also set by `npm start`);
 * 2. a machine-wide `app-config.json` (deployment tools and group policy write it here);
 * 3. `app-config.json` shipped in the installer's resources folder.
 */
export const appConfigFile = z.object({
  serverUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export interface AppConfig {
  serverUrl: string | null;
  /** Where the server URL came from, for the log. */
  source: string | null;
}

export function machineConfigPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32')
    return join(env.ProgramData ?? 'C:\\ProgramData', 'ClinicPulse', 'app-config.json');
  if (platform === 'darwin') return '/Library/Application Support/ClinicPulse/app-config.json';
  return '/etc/clinicpulse/app-config.json';
}

export async function loadAppConfig(options: {
  env: NodeJS.ProcessEnv;
  files: readonly string[];
}): Promise<AppConfig> {
  const fromEnv = options.env.CLINICPULSE_SERVER_URL;
  if (fromEnv) {
    const parsed = appConfigFile.safeParse({ serverUrl: fromEnv });
    if (parsed.success && parsed.data.serverUrl)
      return { serverUrl: origin(parsed.data.serverUrl), source: 'CLINICPULSE_SERVER_URL' };
  }
  for (const file of options.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = appConfigFile.safeParse(safeJson(text));
    if (parsed.success && parsed.data.serverUrl)
      return { serverUrl: origin(parsed.data.serverUrl), source: file };
  }
  return { serverUrl: null, source: null };
}

/** The API lives at `/api` on the server's origin; a path typed with the URL is dropped. */
export function origin(url: string): string {
  return new URL(url).origin;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
