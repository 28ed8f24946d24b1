/** The JSON value of `text`, or undefined when it is not JSON (or not text): for input checked by a schema next. */
export function safeJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
