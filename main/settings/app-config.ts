import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { safeJson } from '../../common/safe-json.js';

/**
 * What a clinic's IT admin presets at install time, each setting looked up on its own, first
 * match wins:
 * 1. the environment: `CLINICPULSE_SERVER_URL` (also set by `npm start`), `CLINICPULSE_UPDATE_URL`;
 * 2. a machine-wide `app-config.json` (deployment tools and group policy write it here);
 * 3. `app-config.json` shipped in the installer's resources folder.
 * `updateUrl` is the folder of release files (`latest.yml`…) desks update from.
 */
export const appConfigFile = z.object({
  serverUrl: z.url({ protocol: /^https?$/ }).optional(),
  updateUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export interface AppConfig {
  serverUrl: string | null;
  /** Where the server URL came from, for the log. */
  source: string | null;
  /** The update feed, or null: updates are off. */
  updateUrl?: string | null;
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
  const files: { source: string; config: z.infer<typeof appConfigFile> }[] = [];
  for (const file of options.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = appConfigFile.safeParse(safeJson(text));
    if (parsed.success) files.push({ source: file, config: parsed.data });
  }
  const env = {
    serverUrl: validUrl(options.env.CLINICPULSE_SERVER_URL),
    updateUrl: validUrl(options.env.CLINICPULSE_UPDATE_URL),
  };
  const server = env.serverUrl
    ? { url: env.serverUrl, source: 'CLINICPULSE_SERVER_URL' }
    : files
        .filter((file) => file.config.serverUrl)
        .map((file) => ({ url: file.config.serverUrl!, source: file.source }))[0];
  const updateUrl = env.updateUrl ?? files.find((file) => file.config.updateUrl)?.config.updateUrl;
  return {
    serverUrl: server ? origin(server.url) : null,
    source: server?.source ?? null,
    // A folder, not an origin: the release files may live under any path.
    updateUrl: updateUrl ?? null,
  };
}

/** The API lives at `/api` on the server's origin; a path typed with the URL is dropped. */
export function origin(url: string): string {
  return new URL(url).origin;
}

function validUrl(value: string | undefined): string | undefined {
  const parsed = appConfigFile.shape.serverUrl.safeParse(value || undefined);
  return parsed.success ? parsed.data : undefined;
}

