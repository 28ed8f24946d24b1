import { describe, expect, it } from 'vitest';
import { electronMissingHelp, installedElectronVersion } from '../../scripts/desktop-launch.js';

describe('npm start on a desk without the Electron binary', () => {
  it('says how to get one: a mirror for the install script, or a local unpacked Electron', () => {
    const version = installedElectronVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const help = electronMissingHelp(version);
    expect(help).toContain(`Electron v${version}`);
    expect(help).toContain('ELECTRON_MIRROR=');
    expect(help).toContain('node node_modules/electron/install.js');
    expect(help).toContain('ELECTRON_OVERRIDE_DIST_PATH=');
    expect(help).toContain(`electron-v${version}-${process.platform}-${process.arch}.zip`);
  });
});
