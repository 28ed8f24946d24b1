import type {
  BridgeApiRequest,
  BridgeApiResponse,
  DesktopBridge,
} from '../../../common/desktop-bridge.js';
import { ipcErrorMessage } from '../platform/ipc-error.js';

/**
 * How a request reaches the REST API: in a browser `fetch` with the session cookie, in the
 * desktop app the preload bridge (the main process holds the token). Both speak the bridge's
 * request/response shape, so the API client above them is the same.
 */
export type ApiTransport = Pick<DesktopBridge, 'request'>;
export type ApiRequest = BridgeApiRequest;
export type ApiResponse = BridgeApiResponse;

/** Thrown by a transport when the server could not be reached at all. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

export function createFetchTransport(baseUrl = ''): ApiTransport {
  return {
    async request({ method, path, body }) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let response: Response;
      try {
        response = await fetch(baseUrl + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: 'same-origin',
          cache: 'no-store',
        });
      } catch (error) {
        throw new NetworkError(
          error instanceof Error ? error.message : 'the server could not be reached',
        );
      }
      const text = await response.text();
      return { status: response.status, body: parseJson(text) };
    },
  };
}

export function createBridgeTransport(bridge: DesktopBridge): ApiTransport {
  return {
    async request(request) {
      try {
        return await bridge.request(request);
      } catch (error) {
        throw new NetworkError(
          ipcErrorMessage(error, 'The desktop app could not reach the server.'),
        );
      }
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
