import { createRequire } from 'node:module';
import type { StandInElectron } from './stand-in-electron.js';

type ModuleLoad = (
  request: string,
  parent: { filename?: string } | null,
  isMain: boolean,
) => unknown;
const nodeRequire = createRequire(import.meta.url);
const Module = nodeRequire('node:module') as { _load: ModuleLoad };

/**
 * Runs the built main.cjs, unchanged, with `require('electron')` answered by the stand-in
 * (for that file only), then emits `ready` as Electron does once the entry script has run.
 * Returns a function that stops answering for it.
 */
export function runBundle(
  mainPath: string,
  electron: StandInElectron,
  resourcesPath: string,
): () => void {
  const originalLoad = Module._load;
  const previousResources = (process as { resourcesPath?: string }).resourcesPath;
  Module._load = function load(this: unknown, request, parent, isMain) {
    if (request === 'electron' && parent?.filename === mainPath) return electron.mainModule;
    return originalLoad.call(this, request, parent, isMain);
  };
  // Electron sets it; main.cjs reads the installer's app-config.json from there.
  (process as { resourcesPath?: string }).resourcesPath = resourcesPath;
  delete nodeRequire.cache[mainPath];
  nodeRequire(mainPath);
  setImmediate(() => electron.becomeReady());
  return () => {
    Module._load = originalLoad;
    (process as { resourcesPath?: string }).resourcesPath = previousResources;
  };
}
