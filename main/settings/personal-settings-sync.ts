import {
  personalSettings,
  type PersonalSettings,
  type PersonalSettingsPatch,
  type PersonalSettingsResponse,
} from '../../common/api.js';
import type { DesktopSettings, DesktopSettingsPatch } from '../../common/desktop-bridge.js';
import {
  changedPersonalSettings,
  personalDifferences,
  personalPart,
} from '../../common/personal-settings.js';
import type { HttpFetch } from '../stream/http-fetch.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** The desk's own settings, as the sync reads and changes them. */
export interface DeskSettings {
  current(): DesktopSettings;
  apply(patch: DesktopSettingsPatch): Promise<void>;
}

export interface PersonalSettingsSyncOptions {
  serverUrl: string;
  token: string;
  fetch: HttpFetch;
  desk: DeskSettings;
  problem?(detail: string): void;
}

/**
 * Keeps this desk's pop-up settings those of the signed-in person (`GET`/`PATCH
 * /api/me/settings`, `settings_changed`), in the main process, so the pop-ups follow them even
 * while no window is open; unless the desk keeps its own (`keepOwnSettings`). The browser page
 * does the same for itself (renderer/src/settings/).
 */
export class PersonalSettingsSync {
  /** Set by stop(): what the server answers a load from then on is not applied. */
  private stopped = false;
  /** Settles with null as stop() begins. */
  private readonly stopping: Promise<null>;
  private endLoads: () => void = () => undefined;
  /** Loads applying the person's settings (a write of the desk's settings); stop() waits for them. */
  private readonly applying = new Set<Promise<void>>();

  constructor(private readonly options: PersonalSettingsSyncOptions) {
    this.stopping = new Promise((resolve) => (this.endLoads = () => resolve(null)));
  }

  private get follows(): boolean {
    return this.options.desk.current().keepOwnSettings !== true;
  }

  /**
   * Takes the person's settings from the server; the first desk a person uses gives them its
   * own to take along. Unreachable: this desk's settings hold until the next event or resync.
   */
  async load(): Promise<void> {
    if (!this.follows || this.stopped) return;
    try {
      // Once stop began, the answer is neither waited for (a quit gives up after 5 s) nor
      // applied: it would be written after sign-out or quit resolved, cut off by the exit or into
      // the settings the next person signing in here starts from. The server keeps them; the
      // next start loads them again.
      const response = await Promise.race([this.call('GET'), this.stopping]);
      if (!response || this.stopped) return;
      const parsed = personalSettings.nullable().safeParse(response.settings);
      if (!parsed.success) return;
      if (parsed.data) await this.whileStopWaits(this.adopt(parsed.data));
      else await this.save(personalPart(this.options.desk.current()));
    } catch (error) {
      this.options.problem?.(`could not read the person's settings: ${describe(error)}`);
    }
  }

  /**
   * The session stops: a load still waiting for the server gives up, and one whose answer is
   * being written is waited for. Changes from `settings_changed` are still adopted (the events
   * that came before stop are handled before it resolves).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.endLoads();
    await Promise.allSettled(this.applying);
  }

  /** The person's settings changed on one of their desks (`settings_changed`). */
  async adopt(personal: PersonalSettings): Promise<void> {
    if (!this.follows) return;
    const patch = personalDifferences(personal, this.options.desk.current());
    if (Object.keys(patch).length > 0) await this.options.desk.apply(patch);
  }

  /**
   * This desk's settings changed (the window, the tray, do-not-disturb ending): what follows the
   * person goes to the server; a desk that stops keeping its own takes the person's again.
   */
  async changed(before: DesktopSettings, after: DesktopSettings): Promise<void> {
    if (after.keepOwnSettings === true) return;
    if (before.keepOwnSettings === true) return this.load();
    const patch = changedPersonalSettings(before, after);
    if (Object.keys(patch).length === 0) return;
    try {
      await this.save(patch);
    } catch (error) {
      this.options.problem?.(`could not save the person's settings: ${describe(error)}`);
    }
  }

  private async whileStopWaits(applying: Promise<void>): Promise<void> {
    this.applying.add(applying);
    try {
      await applying;
    } finally {
      this.applying.delete(applying);
    }
  }

  private async save(patch: PersonalSettingsPatch): Promise<void> {
    await this.call('PATCH', patch);
  }

  private async call(
    method: 'GET' | 'PATCH',
    body?: PersonalSettingsPatch,
  ): Promise<PersonalSettingsResponse | null> {
    const response = await this.options.fetch(
      new URL('/api/me/settings', this.options.serverUrl).href,
      {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      },
    );
    if (!response.ok) {
      await response.body?.cancel();
      if (method === 'PATCH') throw new Error(`the server answered ${response.status}`);
      return null;
    }
    return (await response.json()) as PersonalSettingsResponse;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
