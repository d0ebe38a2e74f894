/**
 * The key a printer URI is remembered under in the trust store: the URI the user names, normalised
 * so that spellings of one address meet (scheme and host are case-insensitive, RFC 3986 §6.2.2.1;
 * the default port may be omitted, RFC 3986 §6.2.3; RFC 8010 §4.1 gives 631 for ipp and ipps).
 * The scheme is kept: ipp and ipps are different ways to reach a printer.
 */
const DEFAULT_PORT: Readonly<Record<string, string>> = { ipp: '631', ipps: '631', http: '80', https: '443' };

export function normalizePrinterUri(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?([^?#]*)/i.exec(uri.trim());
  if (!m) return uri.trim();
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  const port = m[3] && m[3] !== DEFAULT_PORT[scheme] ? `:${String(Number(m[3]))}` : '';
  const path = m[4] === '' ? '/' : m[4]!;
  return `${scheme}://${host}${port}${path}`;
}
