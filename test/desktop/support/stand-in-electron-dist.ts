import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where @electron/fuses finds the fuse wire in an Electron binary (its constants.js). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/**
 * Electron's own defaults, one byte per fuse in @electron/fuses' order: RunAsNode on,
 * cookie encryption off, NODE_OPTIONS on, --inspect on, asar integrity off, only-asar off,
 * browser V8 snapshot off, file:// privileges on.
 */
const ELECTRON_DEFAULT_FUSES = '10110001';

/**
 * A STAND-IN for Electron's Linux distribution folder, NOT Electron: its `electron` is a shell
 * script that cannot run the app. electron-builder needs only these files to be present to
 * assemble a package offline (`electronDist`); the script carries a fuse wire in the exact
 * layout of a real binary (sentinel, wire version 1, 8 fuses), so electron-builder's
 * @electron/fuses flips it as it would flip Electron's. Whether Electron then obeys the fuses
 * needs the real binary.
 */
export function writeStandInElectronDist(directory: string): string {
  mkdirSync(join(directory, 'locales'), { recursive: true });
  mkdirSync(join(directory, 'resources'), { recursive: true });
  const executable = join(directory, 'electron');
  writeFileSync(
    executable,
    Buffer.concat([
      Buffer.from('#!/bin/sh\necho "stand-in for Electron: it cannot run an app" >&2\nexit 1\n#'),
      Buffer.from(FUSE_SENTINEL),
      Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
      Buffer.from(ELECTRON_DEFAULT_FUSES),
      Buffer.from('\n'),
    ]),
  );
  chmodSync(executable, 0o755);
  writeFileSync(join(directory, 'chrome-sandbox'), 'stand-in\n', { mode: 0o755 });
  writeFileSync(join(directory, 'locales', 'en-US.pak'), 'stand-in\n');
  writeFileSync(join(directory, 'LICENSES.chromium.html'), 'stand-in\n');
  return directory;
}
