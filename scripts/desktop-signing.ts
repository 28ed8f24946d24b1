/**
 * `npm run dist:release` runs this before electron-builder: a release build must be signed (and
 * on macOS notarized), so a missing certificate stops it here, naming each variable, instead of
 * ending in an unsigned installer that Windows SmartScreen and macOS Gatekeeper block.
 * electron-builder itself then runs with `forceCodeSigning`, which fails on a signing error.
 */
import { pathToFileURL } from 'node:url';

export type ReleasePlatform = 'win' | 'mac' | 'linux';

/** Each requirement is met by any one of its alternatives, each a set of variables all set. */
interface Requirement {
  what: string;
  anyOf: string[][];
}

const REQUIREMENTS: Record<ReleasePlatform, Requirement[]> = {
  win: [
    {
      what: 'Windows code signing certificate (.pfx as a path, https URL or base64)',
      anyOf: [
        ['WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD'],
        ['CSC_LINK', 'CSC_KEY_PASSWORD'],
      ],
    },
  ],
  mac: [
    {
      what: 'Developer ID Application certificate (.p12), or its name in the login keychain',
      anyOf: [['CSC_LINK', 'CSC_KEY_PASSWORD'], ['CSC_NAME']],
    },
    {
      what: 'notarization credentials (App Store Connect API key, or Apple ID)',
      anyOf: [
        ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
        ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
      ],
    },
  ],
  // deb and rpm are not signed by electron-builder; the clinic's repository signs them.
  linux: [],
};

/** What is missing for a signed release on `platform`; empty when it can be signed. */
export function missingSigning(platform: ReleasePlatform, env: NodeJS.ProcessEnv): string[] {
  const isSet = (name: string) => Boolean(env[name]?.trim());
  return REQUIREMENTS[platform]
    .filter((requirement) => !requirement.anyOf.some((names) => names.every(isSet)))
    .map(
      (requirement) =>
        `${requirement.what}: set ${requirement.anyOf.map((names) => names.join(' + ')).join(', or ')}`,
    );
}

export function currentReleasePlatform(platform: NodeJS.Platform): ReleasePlatform {
  if (platform === 'win32') return 'win';
  if (platform === 'darwin') return 'mac';
  return 'linux';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const requested = process.argv[2];
  const platform =
    requested === 'win' || requested === 'mac' || requested === 'linux'
      ? requested
      : currentReleasePlatform(process.platform);
  const missing = missingSigning(platform, process.env);
  if (missing.length > 0) {
    console.error(`A ${platform} release build must be signed; missing:`);
    for (const line of missing) console.error(`  - ${line}`);
    console.error(
      'See the README, "Signing a release". `npm run dist` builds unsigned for testing.',
    );
    process.exit(1);
  }
  console.log(`${platform}: signing settings present.`);
}
