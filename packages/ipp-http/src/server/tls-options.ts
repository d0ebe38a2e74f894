/**
 * TLS settings of our ipps servers (the printer and the intermediary): TLS 1.2 only, ECDHE key
 * exchange with AEAD ciphers only (RFC 9325 §4.2's recommended TLS 1.2 suites).
 *
 * Why not TLS 1.3: after a TLS 1.3 handshake an OpenSSL server sends NewSessionTicket messages
 * (two by default), and Node offers no way to send none (OpenSSL's SSL_CTX_set_num_tickets is
 * not exposed; SSL_OP_NO_TICKET only switches to stateful tickets). libcups 2.4 over GnuTLS —
 * CUPS' ipptool, cupsd's ipp backend, every Debian 12 client — takes those post-handshake records
 * for a failed read of the response and re-sends its request forever (issue 13.10: ~24,000 POSTs
 * in 30 s, 0 bytes received). Over TLS 1.2 the ticket travels inside the handshake and those
 * clients work. docs/decisions.md records the choice and when to revisit it.
 */
import type { SecureContextOptions } from 'node:tls';

/** ECDHE + AES-GCM or ChaCha20-Poly1305, ECDSA or RSA certificates; no CBC, no static RSA. */
export const IPPS_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The options an ipps server passes to https.createServer with its key and certificate. */
export function ippsServerTlsOptions(key: string | Buffer, cert: string | Buffer): SecureContextOptions & { honorCipherOrder: boolean } {
  return { key, cert, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: IPPS_CIPHERS, honorCipherOrder: true };
}
