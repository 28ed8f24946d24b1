/**
 * The log never holds a credential. Callers log ids, states and reasons, not tokens or message
 * text; this is the net under that rule, for an error message that quotes a header or a body.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/\b(Bearer)\s+[^\s"',;]+/gi, '$1 [redacted]'],
  [
    /\b(session|token|password|authorization|cookie)(["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi,
    '$1$2[redacted]',
  ],
];

export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (result, [pattern, replacement]) => result.replace(pattern, replacement),
    text,
  );
}
