import { describe, expect, it } from 'vitest';
import {
  API_PARTITION,
  API_PARTITION_OPTIONS,
  privateFetch,
} from '../../main/stream/private-fetch.js';

/**
 * What the app hands Chromium for its API and stream requests. Whether Chromium then really
 * writes nothing to the profile is checked on a real desk (README, desktop checklist).
 */
describe('the session the API and the stream use', () => {
  it('is an in-memory partition with its cache off', () => {
    expect(API_PARTITION.startsWith('persist:')).toBe(false);
    expect(API_PARTITION_OPTIONS).toEqual({ cache: false });
  });

  it('sends no cookies, stores none, and caches no answer, whatever the caller asked', async () => {
    const seen: RequestInit[] = [];
    const fetchOn = privateFetch(async (_url, init) => {
      seen.push(init);
      return new Response('{}', { status: 200 });
    });
    await fetchOn('https://clinic.example/api/auth/login', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
    });
    expect(seen[0]).toMatchObject({ method: 'POST', credentials: 'omit', cache: 'no-store' });
  });
});
