/**
 * Issue 11.8, false sealed answers after a printer restart: after a clean restart `tno status N
 * --private` got, sealed and signed by the printer, the neutral name, copies 1 and one-sided
 * instead of the job's real values, and any self-made certificate got the answer. The sealed
 * attributes and the owner binding must survive the restart; a printer that no longer holds them
 * answers that they are unavailable, never false values. Everything goes through a relay.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { decodeMessage, type IppAttribute } from '@trustnoone/ipp';
import { certificateToPem, createIdentity, pemLines } from '@trustnoone/smime';
import { jobPaths, showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { forgeRequest, startHostileRelay, type HostileRelay } from './hostile-relay.js';

let dir: string;
let state: string;
let printer: RunningPrinter;
let relay: HostileRelay;
let port: number;

const start = (p?: number) => startPrinter({ stateDir: join(dir, 'printer'), port: p ?? 0, logger: false });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue11-8-'));
  state = join(dir, 'state');
  printer = await start();
  port = printer.port;
  // The relay reaches whichever printer process listens on that port.
  relay = await startHostileRelay(printer.uri, (req, forward) => forward(req.body));
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
  await mkdir(join(state, 'identity'), { recursive: true });
  expect((await tno(['keys', 'generate', '--kind', 'client', '--name', 'alice', '--cert', join(state, 'identity', 'cert.pem'), '--key', join(state, 'identity', 'key.pem')])).code).toBe(ExitCode.ok);
  await writeFile(join(dir, 'doc.txt'), 'page one\fpage two\n');
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function sealedStatus(jobId: number) {
  return tno(['status', String(jobId), '--printer', relay.uri, '--state', state, '-U', 'alice', '--private', '--json', '--attribute', 'job-name', '--attribute', 'copies', '--attribute', 'sides']);
}

async function askAsMallory(jobId: number): Promise<number> {
  const mallory = createIdentity({ commonName: 'alice' });
  const ops: IppAttribute[] = [
    { name: 'requesting-user-name', values: [{ tag: 'nameWithoutLanguage', value: 'alice' }] },
    { name: 'job-id', values: [{ tag: 'integer', value: jobId }] },
    { name: 'requesting-user-pkcs7-public-key', values: pemLines(certificateToPem(mallory.certificate)).map((value) => ({ tag: 'textWithoutLanguage' as const, value })) },
  ];
  return decodeMessage(await relay.forward(forgeRequest(0x006a, printer.uri, ops))).code;
}

async function restart(): Promise<void> {
  await printer.close();
  printer = await start(port);
}

describe('issue 11.8: false sealed answers after a printer restart', () => {
  it('after a clean restart the owner gets the real sealed values, a stranger nothing; without its record the printer says unavailable', async () => {
    const r = await tno(['print', join(dir, 'doc.txt'), '--printer', relay.uri, '--state', state, '-U', 'alice', '-n', '2', '-o', 'sides=two-sided-long-edge', '-o', 'job-name=board pay rise', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const jobId = JSON.parse(r.out).jobId as number;
    await printer.printer.runtime.store.whenFinalized(jobId);
    const before = await sealedStatus(jobId);
    expect(before.code, before.err).toBe(ExitCode.ok);
    const expected = { 'job-name': 'board pay rise', copies: 2, sides: 'two-sided-long-edge' };
    expect(JSON.parse(before.out).encryptedAttributes).toMatchObject(expected);

    await restart();
    const after = await sealedStatus(jobId);
    expect(after.code, after.err).toBe(ExitCode.ok);
    expect(JSON.parse(after.out).encryptedAttributes).toMatchObject(expected);
    expect(await askAsMallory(jobId), 'a stranger was answered after the restart').toBe(0x0403);

    // A printer that lost what the envelope said (its record is gone) must not make it up.
    await rm(join(jobPaths(printer.printer.runtime.layout, jobId).dir, 'sealed.json'));
    await restart();
    const lost = await sealedStatus(jobId);
    expect(lost.code).not.toBe(ExitCode.ok);
    expect(lost.out).not.toMatch(/encrypted job|one-sided/);
    expect(lost.err).toMatch(/not available|not-possible/);
    expect(await askAsMallory(jobId)).not.toBe(0x0000);
  });
});
