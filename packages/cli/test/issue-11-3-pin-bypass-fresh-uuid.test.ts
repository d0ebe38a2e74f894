/**
 * Issue 11 item 3: pin bypass by a fresh printer-uuid. Pins used to be keyed by the printer-uuid
 * the (possibly hostile) relay reports, so a relay reporting a new uuid with its own key got a
 * "first use" verdict, and a relay at printer A's URI could route to printer B pinned elsewhere.
 * Trust is now bound to the URI the user names as well as the uuid (docs/decisions.md D23). Real tno
 * printers on loopback, the hostile relay as a small proxy, the tno command as shipped.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { tno } from './helpers.js';
import { keyValues, startHostileRelay, withAttribute, type HostileRelay } from './rewriting-relay.js';

const PRINT_JOB = 0x0002;

let dir: string;
let doc: string;
let caFile: string;
let printerA: RunningPrinter;
let printerB: RunningPrinter;
let fpA: string;
let fpB: string;
const relays: HostileRelay[] = [];
/** The relay's own key, self-made: what it wants the client to encrypt to. */
const relayKeyPem = certificateToPem(createIdentity({ commonName: 'trustnoone-printer', algorithm: 'p256' }).certificate);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-11-3-'));
  doc = join(dir, 'doc.txt');
  await writeFile(doc, 'board minutes, confidential\n');
  // Printer A's key is issued by a site CA, so the same printer serves the anchor case too.
  const ca = createCertificateAuthority({ commonName: 'issue 11.3 site CA' });
  const issuer = { certificatePem: certificateToPem(ca.certificate), privateKeyPem: privateKeyToPem(ca.privateKey) };
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, issuer.certificatePem);
  printerA = await startPrinter({ stateDir: join(dir, 'printer-a'), port: 0, logger: false, issuer });
  printerB = await startPrinter({ stateDir: join(dir, 'printer-b'), port: 0, logger: false });
  fpA = (await showFingerprint({ stateDir: join(dir, 'printer-a'), issuer })).fingerprint;
  fpB = (await showFingerprint({ stateDir: join(dir, 'printer-b') })).fingerprint;
});

afterAll(async () => {
  for (const r of relays) await r.close();
  await printerA?.close();
  await printerB?.close();
  await rm(dir, { recursive: true, force: true });
});

async function relayTo(printer: RunningPrinter): Promise<HostileRelay> {
  const r = await startHostileRelay(printer.uri);
  relays.push(r);
  return r;
}

/** The relay turns hostile: a printer-uuid never seen, and its own key. */
function freshUuidAndOwnKey(relay: HostileRelay): void {
  const uuid = `urn:uuid:${randomUUID()}`;
  relay.rewritePrinterAttributes = (attrs) =>
    withAttribute(withAttribute(attrs, 'printer-uuid', [{ tag: 'uri', value: uuid }]), 'printer-pkcs7-public-key', keyValues(relayKeyPem));
}

function documentsSeen(relay: HostileRelay): number {
  return relay.seen.filter((s) => s.operation === PRINT_JOB && s.data.length > 0).length;
}

function stateDir(name: string): string {
  return join(dir, name);
}

describe('issue 11.3: pin bypass by a fresh printer-uuid', () => {
  it('a URI pinned by hand that now reports a fresh uuid and another key is CHANGED, even with --trust-on-first-use', async () => {
    const state = stateDir('by-hand');
    const relay = await relayTo(printerA);
    expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fpA, '--state', state])).code).toBe(ExitCode.ok);
    freshUuidAndOwnKey(relay);
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--trust-on-first-use', '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.untrusted);
    expect(r.err).toMatch(/changed/i);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(documentsSeen(relay)).toBe(0);
  });

  it('a URI trusted on first use that now reports a fresh uuid is CHANGED', async () => {
    const state = stateDir('first-use');
    const relay = await relayTo(printerA);
    const first = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--trust-on-first-use', '--no-wait']);
    expect(first.code, first.err).toBe(ExitCode.ok);
    freshUuidAndOwnKey(relay);
    const before = documentsSeen(relay);
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--trust-on-first-use', '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.untrusted);
    expect(documentsSeen(relay)).toBe(before);
  });

  it('a URI verified through an anchor that now reports a fresh uuid and a self-made key is CHANGED', async () => {
    const state = stateDir('anchor');
    const relay = await relayTo(printerA);
    expect((await tno(['trust', 'pin', '--anchor', caFile, '--state', state])).code).toBe(ExitCode.ok);
    const verified = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--strict', '--no-wait', '--json']);
    expect(verified.code, verified.err).toBe(ExitCode.ok);
    expect(JSON.parse(verified.out).trust.kind).toBe('verified');
    freshUuidAndOwnKey(relay);
    const before = documentsSeen(relay);
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--trust-on-first-use', '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.untrusted);
    expect(documentsSeen(relay)).toBe(before);
  });

  it("a relay at printer A's URI routing to printer B (pinned under B's own URI) is CHANGED: B prints nothing", async () => {
    const state = stateDir('reroute');
    const relay = await relayTo(printerA);
    expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fpA, '--state', state])).code).toBe(ExitCode.ok);
    expect((await tno(['trust', 'pin', '--printer', printerB.uri, '--fingerprint', fpB, '--state', state])).code).toBe(ExitCode.ok);
    relay.upstream = printerB.uri;
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--trust-on-first-use', '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.untrusted);
    expect(r.err).toMatch(/changed/i);
    expect(documentsSeen(relay)).toBe(0);
  });

  it('a URI never seen that reaches a printer pinned under another URI is refused until that URI is pinned', async () => {
    const state = stateDir('elsewhere');
    expect((await tno(['trust', 'pin', '--printer', printerB.uri, '--fingerprint', fpB, '--state', state])).code).toBe(ExitCode.ok);
    const relay = await relayTo(printerB);
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--trust-on-first-use', '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.untrusted);
    expect(r.err).toContain(printerB.uri);
    expect(r.err).toContain(`tno trust pin --printer ${relay.uri}`);
    expect(documentsSeen(relay)).toBe(0);
    // The user says this URI is a way to that printer (fingerprint read on the printer): it prints.
    expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fpB, '--state', state])).code).toBe(ExitCode.ok);
    const ok = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--strict', '--no-wait', '--json']);
    expect(ok.code, ok.err).toBe(ExitCode.ok);
    expect(JSON.parse(ok.out).trust.kind).toBe('pinned');
  });

  it('first use still applies to a URI never seen reaching a printer never seen', async () => {
    const state = stateDir('fresh');
    const r = await tno(['print', doc, '--printer', printerB.uri, '--state', state, '--trust-on-first-use', '--no-wait', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(JSON.parse(r.out).trust.kind).toBe('first-use');
    const again = await tno(['print', doc, '--printer', printerB.uri, '--state', state, '--strict', '--no-wait', '--json']);
    expect(JSON.parse(again.out).trust.kind).toBe('pinned');
  });

  it('an old uuid-keyed trust store is migrated: its pin binds the URI it was made at', async () => {
    const state = stateDir('migrated');
    const relay = await relayTo(printerA);
    const info = await tno(['trust', 'show', '--printer', relay.uri, '--state', join(dir, 'scratch'), '--json']);
    const uuidA = JSON.parse(info.out).printer.printerUuid as string;
    const v1 = { version: 1, pins: { [uuidA]: { fingerprint: fpA.replace(/:/g, '').toLowerCase(), pinnedAt: '2026-01-01T00:00:00.000Z', how: 'manual', printerUri: relay.uri } } };
    await mkdir(state, { recursive: true });
    await writeFile(join(state, 'trust.json'), JSON.stringify(v1));
    const honest = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--strict', '--no-wait', '--json']);
    expect(honest.code, honest.err).toBe(ExitCode.ok);
    expect(JSON.parse(honest.out).trust.kind).toBe('pinned');
    freshUuidAndOwnKey(relay);
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--trust-on-first-use', '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.untrusted);
    const migrated = JSON.parse(await readFile(join(state, 'trust.json'), 'utf8'));
    expect(migrated.version).toBe(2);
    expect((await stat(join(state, 'trust.v1.json'))).isFile()).toBe(true);
  });
});
