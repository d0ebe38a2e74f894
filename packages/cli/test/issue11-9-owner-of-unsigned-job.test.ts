/**
 * Issue 11.9, owner of an unsigned job: a relay that claims the owner's requesting-user-name and
 * presents a self-made certificate must not receive a sealed job's real name. Ownership is proven
 * only by a key bound inside the sealed request: the signer's certificate, or the
 * requesting-user-pkcs7-public-key sealed into an unsigned job. Client side, `tno print` always
 * binds one (STATE/identity, created on first use); printer side, a sealed job that binds none
 * answers its sealed status to nobody.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { decodeMessage, encodeMessage, type IppAttribute } from '@trustnoone/ipp';
import { buildInnerRequest, buildOuterRequest, newJobNonce } from '@trustnoone/profile';
import { certificateToPem, createIdentity, joinPemLines, pemLines, sealToBytes } from '@trustnoone/smime';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { forgeRequest, startHostileRelay, type HostileRelay } from './hostile-relay.js';

const GET_ENCRYPTED_JOB_ATTRIBUTES = 0x006a;

let dir: string;
let printer: RunningPrinter;
let relay: HostileRelay;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue11-9-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  relay = await startHostileRelay(printer.uri, (req, forward) => forward(req.body));
  await writeFile(join(dir, 'doc.txt'), 'salary review\n');
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the relay does: ask for the job's sealed name as `alice`, with a certificate of its own. */
async function askAsMallory(jobId: number): Promise<{ status: number; data: number }> {
  const mallory = createIdentity({ commonName: 'alice' });
  const ops: IppAttribute[] = [
    { name: 'requesting-user-name', values: [{ tag: 'nameWithoutLanguage', value: 'alice' }] },
    { name: 'job-id', values: [{ tag: 'integer', value: jobId }] },
    { name: 'requested-attributes', values: [{ tag: 'keyword', value: 'job-name' }] },
    { name: 'requesting-user-pkcs7-public-key', values: pemLines(certificateToPem(mallory.certificate)).map((value) => ({ tag: 'textWithoutLanguage' as const, value })) },
  ];
  const answer = decodeMessage(await relay.forward(forgeRequest(GET_ENCRYPTED_JOB_ATTRIBUTES, printer.uri, ops)));
  return { status: answer.code, data: answer.data?.length ?? 0 };
}

describe('issue 11.9: owner of an unsigned job', () => {
  it('tno print binds a key to an unsigned job (creating STATE/identity); a relay asking as the owner with its own certificate gets nothing', async () => {
    const state = join(dir, 'fresh-state');
    const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
    expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
    const r = await tno(['print', join(dir, 'doc.txt'), '--printer', relay.uri, '--state', state, '-U', 'alice', '-o', 'job-name=secret review', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const jobId = JSON.parse(r.out).jobId as number;

    const stolen = await askAsMallory(jobId);
    expect(stolen.status, 'the relay was answered').toBe(0x0403); // client-error-not-authorized
    expect(stolen.data).toBe(0);

    // The identity tno created is the owner: it reads the real name.
    expect((await stat(join(state, 'identity', 'key.pem'))).mode & 0o777).toBe(0o600);
    const s = await tno(['status', String(jobId), '--printer', relay.uri, '--state', state, '-U', 'alice', '--private', '--json']);
    expect(s.code, s.err).toBe(ExitCode.ok);
    expect(JSON.parse(s.out).encryptedAttributes['job-name']).toBe('secret review');
    expect(await readFile(join(state, 'identity', 'cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('a sealed job that binds no key (an unsigned job from an older client): nobody receives its sealed attributes', async () => {
    const inner = buildInnerRequest({
      operation: 'Print-Job',
      printerUri: printer.uri,
      requestingUserName: 'alice',
      printerUuid: `urn:uuid:${printer.printer.uuid}`,
      jobUuid: newJobNonce(),
      documentFormat: 'text/plain',
      jobName: 'unbound secret',
    });
    const envelope = await sealToBytes(Buffer.concat([encodeMessage(inner), Buffer.from('hello\n')]), { recipients: [joinPemLines(printer.printer.keys.certificatePemLines)] });
    const outer = buildOuterRequest({ operation: 'Print-Job', printerUri: printer.uri, requestId: 1, requestingUserName: 'alice' });
    const created = decodeMessage(await relay.forward(Buffer.concat([encodeMessage(outer), envelope])));
    expect(created.code).toBe(0x0000);
    const id = created.groups.find((g) => g.tag === 0x02)!.attributes.find((a) => a.name === 'job-id')!.values[0]!;
    const jobId = (id as { value: number }).value;
    await printer.printer.runtime.store.whenFinalized(jobId);

    const stolen = await askAsMallory(jobId);
    expect(stolen.status, 'the relay was answered').toBe(0x0403); // client-error-not-authorized
    expect(stolen.data).toBe(0);
  });
});
