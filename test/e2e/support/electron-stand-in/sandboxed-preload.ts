import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createContext, Script } from 'node:vm';
import type { Page } from 'playwright-core';

export interface PageIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
}

/** The preload's side of main → renderer pushes (`webContents.send`). */
export interface ExposedBridge {
  push(channel: string, payload: unknown): void;
  /** The names `contextBridge.exposeInMainWorld` was called with. */
  readonly exposedNames: string[];
}

const nodeRequire = createRequire(import.meta.url);

/** What a sandboxed preload's `require` offers besides `electron` (Electron's sandbox docs). */
const SANDBOX_MODULES = new Set(['events', 'timers', 'url']);

/**
 * Runs the built preload.cjs as Electron's sandbox does, as far as a stand-in can: in a fresh
 * V8 context with no Node globals, whose `require` knows only `electron` (contextBridge and
 * ipcRenderer) and the few modules the sandbox allows, so a preload that needs anything else
 * fails here as it would in the app. What it exposes with `contextBridge.exposeInMainWorld`
 * reaches the page as Playwright bindings: functions only, arguments and results copied, a
 * listener argument turned into a subscription, so the page holds no reference into the preload.
 */
export async function runSandboxedPreload(
  preloadPath: string,
  page: Page,
  ipc: PageIpc,
): Promise<ExposedBridge> {
  const listeners = new Map<string, ((event: unknown, payload: unknown) => void)[]>();
  const exposed: { name: string; api: Record<string, unknown> }[] = [];
  const rendererElectron = {
    contextBridge: {
      exposeInMainWorld(name: string, api: Record<string, unknown>) {
        exposed.push({ name, api });
      },
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => ipc.invoke(channel, ...args),
      send: (channel: string, ...args: unknown[]) => ipc.send(channel, ...args),
      on(channel: string, listener: (event: unknown, payload: unknown) => void) {
        listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
        return this;
      },
      removeListener(channel: string, listener: (event: unknown, payload: unknown) => void) {
        listeners.set(
          channel,
          (listeners.get(channel) ?? []).filter((candidate) => candidate !== listener),
        );
        return this;
      },
    },
  };
  const sandboxRequire = (id: string) => {
    if (id === 'electron') return rendererElectron;
    if (SANDBOX_MODULES.has(id)) return nodeRequire(id) as unknown;
    throw new Error(`module not found: ${id} (a sandboxed preload may only require electron)`);
  };
  const module = { exports: {} };
  const context = createContext({ console });
  const wrapped = new Script(
    `(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {${readFileSync(preloadPath, 'utf8')}\n})`,
    { filename: preloadPath },
  ).runInContext(context) as (...args: unknown[]) => void;
  wrapped(
    sandboxRequire,
    { platform: process.platform, type: 'renderer', sandboxed: true, env: {} },
    undefined,
    context,
    undefined,
    undefined,
    module.exports,
    module,
  );

  const unsubscribers = new Map<number, () => void>();
  for (const { name, api } of exposed) {
    const methods = Object.keys(api).filter((key) => typeof api[key] === 'function');
    await page.exposeBinding(
      `__standInBridge_${name}`,
      async (_source, method: string, args: unknown[], listenerId: number | null) => {
        if (method === '__unsubscribe') {
          unsubscribers.get(listenerId!)?.();
          unsubscribers.delete(listenerId!);
          return null;
        }
        const call = api[method];
        if (typeof call !== 'function') throw new Error(`${name}.${method} is not exposed`);
        if (listenerId !== null) {
          const listener = (payload: unknown) =>
            void page
              .evaluate(
                ([bridge, id, value]) =>
                  (globalThis as unknown as Record<string, (id: number, value: unknown) => void>)[
                    `__standInDeliver_${bridge}`
                  ]?.(id, value),
                [name, listenerId, payload] as const,
              )
              .catch(() => undefined);
          unsubscribers.set(listenerId, (call as (listener: unknown) => () => void)(listener));
          return null;
        }
        return structuredClone(await (call as (...values: unknown[]) => unknown)(...args)) ?? null;
      },
    );
    await page.addInitScript(
      ({ bridge, names }) => {
        const page = globalThis as unknown as Record<string, unknown>;
        const callMain = page[`__standInBridge_${bridge}`] as (
          method: string,
          args: unknown[],
          listenerId: number | null,
        ) => Promise<unknown>;
        const listeners = new Map<number, (value: unknown) => void>();
        let next = 1;
        page[`__standInDeliver_${bridge}`] = (id: number, value: unknown) =>
          listeners.get(id)?.(value);
        const api: Record<string, unknown> = {};
        for (const method of names) {
          api[method] = (...args: unknown[]) => {
            const listener = args.find((arg) => typeof arg === 'function') as
              ((value: unknown) => void) | undefined;
            if (listener) {
              const id = next++;
              listeners.set(id, listener);
              void callMain(method, [], id);
              return () => {
                listeners.delete(id);
                void callMain('__unsubscribe', [], id);
              };
            }
            return callMain(method, args, null).then((value) => value ?? undefined);
          };
        }
        Object.defineProperty(page, bridge, { value: Object.freeze(api), enumerable: true });
      },
      { bridge: name, names: methods },
    );
  }

  return {
    exposedNames: exposed.map((entry) => entry.name),
    push(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener({}, payload);
    },
  };
}
