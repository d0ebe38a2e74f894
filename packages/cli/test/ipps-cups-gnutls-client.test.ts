/**
 * Issue 13.10: CUPS 2.4.2's ipptool (libcups over GnuTLS) over ipps:// to `tno printer --tls` and
 * `tno intermediary --tls-key --tls-cert` received 0 bytes and re-sent its request endlessly.
 *
 * Cause: libcups 2.4.2 cannot read a TLS 1.3 connection on which the server sent
 * NewSessionTicket messages after the handshake: it takes the ticket records for a failed read of
 * the response, gives up on the answer and posts again. OpenSSL (and so Node) sends two tickets by
 * default and Node cannot turn them off; `openssl s_server -num_tickets 0` over TLS 1.3 works with
 * the same ipptool, `-num_tickets 1` fails. Our ipps servers therefore speak TLS 1.2 with ECDHE and
 * AEAD ciphers only (docs/decisions.md, "ipps servers stay on TLS 1.2").
 *
 * Both servers are started as the CLI starts them; ipptool must answer within seconds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPPTOOL_TESTS, ipptool, startPrinterAndIntermediary, type TnoServer } from '../../../testing/ipptool.js';

const run = promisify(execFile);
let dir: string;
let servers: { printer: TnoServer; intermediary: TnoServer; stop(): Promise<void> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-ipps-'));
  servers = await startPrinterAndIntermediary(dir, 'ipps');
}, 120_000);

afterAll(async () => {
  await servers?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What `openssl s_client` negotiates with the server at `uri`. */
async function negotiated(uri: string): Promise<{ protocol: string; cipher: string }> {
  const port = new URL(uri.replace(/^ipps:/, 'https:')).port;
  const { stdout } = await run('sh', ['-c', `echo | openssl s_client -connect 127.0.0.1:${port} -servername localhost 2>/dev/null`], { timeout: 20_000 });
  return { protocol: /Protocol\s*:\s*(\S+)/.exec(stdout)?.[1] ?? '', cipher: /Cipher\s*:\s*(\S+)/.exec(stdout)?.[1] ?? '' };
}

describe('issue 13.10: ipptool (CUPS 2.4, GnuTLS) over ipps', () => {
  for (const role of ['printer', 'intermediary'] as const) {
    it(`get-printer-attributes.test passes against the ${role} over ipps within seconds`, async () => {
      const r = await ipptool(['-t', servers[role].uri, join(IPPTOOL_TESTS, 'get-printer-attributes.test')], dir, 20_000);
      expect(r.code, r.failures()).toBe(0);
      expect(r.tests.map((t) => t.outcome)).toEqual(['PASS']);
    }, 30_000);

    it(`the ${role} negotiates TLS 1.2 with an ECDHE AEAD cipher, and nothing older`, async () => {
      const got = await negotiated(servers[role].uri);
      expect(got.protocol).toBe('TLSv1.2');
      expect(got.cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
      const port = new URL(servers[role].uri.replace(/^ipps:/, 'https:')).port;
      const old = await run('sh', ['-c', `echo | openssl s_client -connect 127.0.0.1:${port} -tls1_1 2>&1`], { timeout: 20_000 }).then((r) => r.stdout, (e: { stdout?: string }) => e.stdout ?? '');
      // Refused with a protocol_version alert: no cipher agreed.
      expect(old).toMatch(/Cipher is \(NONE\)/);
    }, 30_000);
  }
});
