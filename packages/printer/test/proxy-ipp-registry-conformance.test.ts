/**
 * The Proxy's wire traffic checked against independent facts: every request it sent during a real
 * pull-mode print (with Get-Encrypted-Job-Attributes) is captured at the intermediary's HTTP layer
 * and checked with @trustnoone/ipp's IANA-registry-driven validateRequest (attribute syntaxes,
 * groups, charset/language/target order), and each operation code maps to the IANA name PWG
 * 5100.18 / 5100.22 / RFC 3995-3996 / the TRUSTNOONE registrations give it (as ippsample uses them).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag, operationCode, operationName, readIppMessage, statusCode, validateRequest, type IppMessage } from '@trustnoone/ipp';
import { encryptedJobAttributes, print, TrustStore } from '@trustnoone/client';
import { buildApp as buildIntermediary, type Intermediary } from '@trustnoone/intermediary';
import { buildApp, startProxy, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';
import { certificateToPem, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { TEXT } from './support/documents.js';

let inter: Intermediary;
let uri: string;
let printer: PrinterHandle;
let proxy: RunningProxy;
const bodies: Buffer[] = [];

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'tno-proxy-conf-'));
  inter = buildIntermediary({ stateDir: join(root, 'i'), upstreams: [], infra: { allowAnonymousDevices: true, maxNotifyWaitMs: 1000 }, printerAttributesTtlMs: 0 });
  // Keep the first 256 KiB of every request body (attributes come first) as sent on the wire.
  inter.app.addHook('preParsing', async (_req, _reply, payload) => {
    const copy: Buffer[] = [];
    let kept = 0;
    const tee = new PassThrough();
    payload.on('data', (c: Buffer) => {
      if (kept < 256 * 1024) copy.push(c), (kept += c.length);
    });
    payload.on('end', () => bodies.push(Buffer.concat(copy)));
    payload.pipe(tee);
    return tee;
  });
  await inter.start();
  await inter.app.listen({ host: '127.0.0.1', port: 0 });
  uri = `ipp://127.0.0.1:${(inter.app.server.address() as { port: number }).port}/ipp/print`;
  printer = await buildApp({ stateDir: join(root, 'p'), logger: false });
  proxy = await startProxy(printer, { url: uri, retryInitialMs: 50 });
  const until = Date.now() + 20_000;
  while (!proxy.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await printer?.close();
  await inter?.close();
});

describe('Proxy requests on the wire', () => {
  it('validate against the IANA registry and use the registered operation codes', async () => {
    const store = new TrustStore(await mkdtemp(join(tmpdir(), 'tno-proxy-conf-trust-')));
    // The sealed job binds its owner's certificate (issue 11.9); the status request proves that key.
    const owner = createIdentity({ commonName: 'alice' });
    const r = await print({ printer: uri, userName: 'alice', documents: [{ data: TEXT, format: 'text/plain' }], jobName: 'conformance', ownerCertificate: certificateToPem(owner.certificate), trust: { store, firstUse: 'accept' }, follow: { intervalMs: 50, timeoutMs: 30_000 } });
    expect(r.status?.state).toBe('completed');
    await encryptedJobAttributes({ printer: uri, userName: 'alice' }, r.jobId, { certificate: certificateToPem(owner.certificate), privateKey: privateKeyToPem(owner.privateKey), trust: { store } });

    const messages: IppMessage[] = [];
    for (const b of bodies) {
      if (b.length === 0) continue;
      const { message, data } = await readIppMessage(Readable.from([b]));
      data.destroy();
      messages.push(message);
    }
    const fromProxy = messages.filter((m) => m.groups[0]?.attributes.some((a) => a.name === 'output-device-uuid'));
    const names = new Set(fromProxy.map((m) => operationName(m.code)));
    for (const op of [
      'Register-Output-Device',
      'Update-Output-Device-Attributes',
      'Create-Printer-Subscriptions',
      'Get-Jobs',
      'Get-Notifications',
      'Fetch-Job',
      'Acknowledge-Job',
      'Fetch-Document',
      'Acknowledge-Document',
      'Update-Job-Status',
      'Update-Document-Status',
      'Fetch-Encrypted-Job-Attributes',
      'Acknowledge-Encrypted-Job-Attributes',
    ]) {
      expect(names, op).toContain(op);
    }
    const printerAttributeDefects = new Set<string>();
    for (const m of fromProxy) {
      // operationRules: each INFRA/TRUSTNOONE request also meets its per-operation rule (target, output-device-uuid, job-id, ...).
      let violations = validateRequest(m, { operationRules: true });
      if (operationName(m.code) === 'Update-Output-Device-Attributes') {
        // The printer group is the emulator's own Get-Printer-Attributes answer, relayed as is:
        // its defects are listed below, not hidden.
        for (const v of violations) if (v.group === GroupTag.printer && v.attribute) printerAttributeDefects.add(v.attribute);
        violations = violations.filter((v) => v.group !== GroupTag.printer);
      }
      expect(violations, `${operationName(m.code)}: ${JSON.stringify(violations)}`).toEqual([]);
      // PWG 5100.18 §5: every Proxy request names its output device, as a uri.
      expect(m.groups[0]!.attributes.find((a) => a.name === 'output-device-uuid')?.values[0]?.tag).toBe('uri');
    }
    // The job's life at the printer was mirrored: receiving, printing, then the final state.
    const reported = fromProxy
      .filter((m) => operationName(m.code) === 'Update-Job-Status')
      .flatMap((m) => m.groups.filter((g) => g.tag === GroupTag.job))
      .map((g) => ({
        state: (g.attributes.find((a) => a.name === 'output-device-job-state')?.values[0] as { value: number }).value,
        reasons: g.attributes.find((a) => a.name === 'output-device-job-state-reasons')!.values.map((v) => (v as { value: string }).value),
      }));
    expect(reported[0]).toEqual({ state: 5, reasons: ['job-incoming'] });
    expect(reported.some((r) => r.state === 5 && r.reasons.includes('job-printing'))).toBe(true);
    expect(reported.at(-1)).toEqual({ state: 9, reasons: ['job-completed-successfully'] });
    // Every printer attribute the Proxy reports has the syntax the IANA registry gives it.
    expect([...printerAttributeDefects].sort()).toEqual([]);
    // The codes our Infrastructure Printer dispatches on, by their registered names.
    expect(operationCode('Fetch-Job')).toBe(0x0043);
    expect(operationCode('Acknowledge-Encrypted-Job-Attributes')).toBe(0x0068);
    expect(operationCode('Get-Encrypted-Job-Attributes')).toBe(0x006a);
    expect(statusCode('client-error-not-fetchable')).toBe(0x0420);
    // Event notifications went out as RFC 3996 ippget answers the Proxy could read.
    expect(fromProxy.some((m) => m.groups.some((g) => g.tag === GroupTag.subscription))).toBe(true);
  }, 60_000);
});
