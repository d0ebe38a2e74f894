/**
 * Issue 11 item 7: plaintext to a pinned printer. With --allow-plaintext, a relay that hides the
 * printer-pkcs7-public-key of a printer the user trusts received the job in clear, without a
 * warning. tno must never print in clear to a URI or a printer-uuid it trusts with a key (pinned,
 * trusted on first use, or verified through an anchor), and must say why. Real tno printers on
 * loopback, the hostile relay as a small proxy, the tno command as shipped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { certificateToPem, createCertificateAuthority, privateKeyToPem } from '@trustnoone/smime';
import { tno } from './helpers.js';
import { startHostileRelay, withAttribute, type HostileRelay } from './rewriting-relay.js';

const PRINT_JOB = 0x0002;
const SECRET = 'salary review: confidential 7f3a9c';

let dir: string;
let doc: string;
let caFile: string;
let printer: RunningPrinter;
let fp: string;
const relays: HostileRelay[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-11-7-'));
  doc = join(dir, 'doc.txt');
  await writeFile(doc, `${SECRET}\n`);
  const ca = createCertificateAuthority({ commonName: 'issue 11.7 site CA' });
  const issuer = { certificatePem: certificateToPem(ca.certificate), privateKeyPem: privateKeyToPem(ca.privateKey) };
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, issuer.certificatePem);
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false, issuer });
  fp = (await showFingerprint({ stateDir: join(dir, 'printer'), issuer })).fingerprint;
});

afterAll(async () => {
  for (const r of relays) await r.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function relay(): Promise<HostileRelay> {
  const r = await startHostileRelay(printer.uri);
  relays.push(r);
  return r;
}

/** The relay hides the key (and the sealed format), so the printer looks like one without TRUSTNOONE. */
function hideKey(r: HostileRelay): void {
  r.rewritePrinterAttributes = (attrs) =>
    withAttribute(
      withAttribute(attrs, 'printer-pkcs7-public-key', undefined),
      'document-format-supported',
      attrs.find((a) => a.name === 'document-format-supported')!.values.filter((v) => !('value' in v) || v.value !== 'application/pkcs7-mime'),
    );
}

/** Only the sealed format is hidden: the key is still advertised. */
function hideSealedFormat(r: HostileRelay): void {
  r.rewritePrinterAttributes = (attrs) =>
    withAttribute(
      attrs,
      'document-format-supported',
      attrs.find((a) => a.name === 'document-format-supported')!.values.filter((v) => !('value' in v) || v.value !== 'application/pkcs7-mime'),
    );
}

function clearTextSeen(r: HostileRelay): boolean {
  return r.seen.some((s) => s.operation === PRINT_JOB && s.data.toString('latin1').includes(SECRET));
}

describe('issue 11.7: plaintext to a pinned printer', () => {
  it('a URI pinned by hand whose key the relay hides: no job in clear with --allow-plaintext, and tno says why', async () => {
    const state = join(dir, 'pinned');
    const r = await relay();
    expect((await tno(['trust', 'pin', '--printer', r.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
    hideKey(r);
    const out = await tno(['print', doc, '--printer', r.uri, '--state', state, '--allow-plaintext', '--no-wait']);
    expect(out.code, out.err).toBe(ExitCode.untrusted);
    expect(out.err).toMatch(/hiding the key/);
    expect(out.err).toContain('--allow-plaintext');
    expect(out.err.trimEnd().split('\n')).toHaveLength(1);
    expect(clearTextSeen(r)).toBe(false);
  });

  it('a URI never seen that reaches (by printer-uuid) a printer trusted elsewhere: no job in clear', async () => {
    const state = join(dir, 'by-uuid');
    expect((await tno(['trust', 'pin', '--printer', printer.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
    const r = await relay();
    hideKey(r);
    const out = await tno(['print', doc, '--printer', r.uri, '--state', state, '--allow-plaintext', '--no-wait']);
    expect(out.code, out.err).toBe(ExitCode.untrusted);
    expect(clearTextSeen(r)).toBe(false);
  });

  it('a printer verified through an anchor whose sealed format the relay hides: no job in clear', async () => {
    const state = join(dir, 'anchor');
    expect((await tno(['trust', 'pin', '--anchor', caFile, '--state', state])).code).toBe(ExitCode.ok);
    const r = await relay();
    hideSealedFormat(r);
    const out = await tno(['print', doc, '--printer', r.uri, '--state', state, '--allow-plaintext', '--no-wait']);
    expect(out.code, out.err).toBe(ExitCode.untrusted);
    expect(out.err).toMatch(/trust anchor/);
    expect(clearTextSeen(r)).toBe(false);
  });

  it('a printer never trusted still prints in clear with --allow-plaintext (the flag keeps its meaning)', async () => {
    const state = join(dir, 'never');
    const r = await relay();
    hideKey(r);
    const refused = await tno(['print', doc, '--printer', r.uri, '--state', state, '--no-wait']);
    expect(refused.code, refused.err).toBe(ExitCode.notEncrypted);
    const out = await tno(['print', doc, '--printer', r.uri, '--state', state, '--allow-plaintext', '--no-wait']);
    expect(out.code, out.err).toBe(ExitCode.ok);
    expect(clearTextSeen(r)).toBe(true);
  });
});
