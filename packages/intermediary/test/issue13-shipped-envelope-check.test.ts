/**
 * Issue 13.7: the intermediary as shipped (`tno intermediary`, end-to-end policy and envelope check
 * on) answers a sealed document whose ContentInfo contentType OID (RFC 5652 §3) is damaged with
 * client-error-document-security-error, as the printer answers those bytes, and not with
 * document-format-not-supported. startIntermediary's defaults are the command's, so the tests that
 * build the intermediary in-process test the configuration that ships.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, createIdentity, sealToBytes } from '@trustnoone/smime';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { sealedPrintJob, send } from './fixtures/client.js';

const recipient = createIdentity({ commonName: 'shipped-configuration printer' });
/** OBJECT IDENTIFIER headers of the two envelope content types (RFC 5083 §1.1, RFC 5652 §6). */
const OID_HEADERS = [Buffer.from([0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01]), Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07])];

/** The envelope with the last byte of its outer contentType OID flipped (…1.23 → …1.22, …7.3 → …7.2). */
function damageContentType(envelope: Uint8Array): Buffer {
  const b = Buffer.from(envelope);
  for (const h of OID_HEADERS) {
    const at = b.indexOf(h);
    if (at >= 0 && at < 8) {
      b[at + h.length]! ^= 0x01;
      return b;
    }
  }
  throw new Error('no envelope contentType OID in the first bytes');
}

function opensslEnvelope(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tno-shipped-openssl-'));
  writeFileSync(join(dir, 'cert.pem'), certificateToPem(recipient.certificate));
  writeFileSync(join(dir, 'in.txt'), 'sealed by openssl cms');
  const r = spawnSync('openssl', ['cms', '-encrypt', '-binary', '-aes-256-gcm', '-outform', 'DER', '-in', join(dir, 'in.txt'), '-out', join(dir, 'out.der'), join(dir, 'cert.pem')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl cms -encrypt failed: ${r.stderr}`);
  return readFileSync(join(dir, 'out.der'));
}

let printer: FakePrinter;
let shipped: TnoIntermediary;
let inProcess: RunningIntermediary;
let inProcessState: string;

beforeAll(async () => {
  printer = await startFakePrinter();
  shipped = await startTnoIntermediary(printer.uri);
  inProcessState = mkdtempSync(join(tmpdir(), 'tno-shipped-defaults-'));
  // Only what every in-process test passes: no policy or envelope options.
  inProcess = await startIntermediary({ stateDir: inProcessState, upstreams: [{ uri: printer.uri }], port: 0, announce: () => {}, handleSignals: false });
}, 60_000);

afterAll(async () => {
  await inProcess?.close();
  await shipped?.stop();
  await printer?.close();
});

describe('issue 13.7: a damaged envelope contentType through the intermediary as shipped', () => {
  const cases = [
    ['AuthEnvelopedData sealed by @trustnoone/smime', async () => sealToBytes(Buffer.from('hello'), { recipients: [recipient.certificate] })],
    ['AuthEnvelopedData sealed by openssl cms -aes-256-gcm', async () => opensslEnvelope()],
  ] as const;

  for (const [what, make] of cases) {
    it(`tno intermediary answers document-security-error for ${what}, and spools nothing`, async () => {
      const envelope = await make();
      const jobsBefore = readdirSync(join(shipped.state, 'spool', 'jobs')).length;
      const bad = await send(shipped.uri, sealedPrintJob(shipped.uri), damageContentType(envelope));
      expect(bad.status, bad.statusMessage).toBe(0x041a);
      expect(bad.jobId).toBeUndefined();
      expect(readdirSync(join(shipped.state, 'spool', 'jobs')).length).toBe(jobsBefore);
      // Control: the same envelope undamaged is taken.
      const good = await send(shipped.uri, sealedPrintJob(shipped.uri), envelope);
      expect(good.status, good.statusMessage).toBe(0);
    });
  }

  it('startIntermediary with no policy options answers the same bytes the same way (tests run the shipped defaults)', async () => {
    const envelope = await sealToBytes(Buffer.from('hello'), { recipients: [recipient.certificate] });
    const viaCli = await send(shipped.uri, sealedPrintJob(shipped.uri), damageContentType(envelope));
    const viaDefaults = await send(inProcess.uri, sealedPrintJob(inProcess.uri), damageContentType(envelope));
    expect([viaDefaults.status, viaDefaults.statusMessage]).toEqual([viaCli.status, viaCli.statusMessage]);
    expect(inProcess.service.checkEnvelope).toBe(true);
  });
});
