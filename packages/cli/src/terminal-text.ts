/**
 * Text from a printer or relay (job names, state messages, user names, reasons, certificate
 * subjects, error details) is shown to a person, and a hostile server must not drive their
 * terminal with it (issue 12 item 7): escape sequences can retitle the window, hide or rewrite
 * earlier lines, move the cursor or, on some terminals, write to the clipboard or files. Every
 * character that is not plain printable text is shown as a visible escape instead:
 * C0 controls (including newline and carriage return, which would forge extra lines), DEL, C1
 * controls (0x9B is a one-byte CSI on some terminals), and the Unicode bidirectional controls and
 * line separators that reorder or break what is displayed (Unicode TR 9 §2; the "Trojan Source"
 * technique).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control character shown as an escape (`\x1b`, `\n`, `\u202e`). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * JSON for stdout. JSON.stringify already escapes C0 controls; C1 and bidirectional controls are
 * valid raw in JSON strings but reach a terminal as they are, so they are written as \u escapes
 * (the same string for any JSON parser).
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
