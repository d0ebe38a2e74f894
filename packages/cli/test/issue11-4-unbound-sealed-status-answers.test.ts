/**
 * Issue 11.4, unbound sealed status answers: a Get-Encrypted-Job-Attributes answer is sealed to
 * the owner and signed by the printer, but said nothing about which question it answers. A relay
 * could (a) send the owner's question about job Y to job X of the same owner and hand back X's
 * answer, or (b) keep an answer and hand it back later for a new question. The printer now signs
 * the job's sealed nonce and the request's fresh nonce into the answer; tno checks both.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { encodeMessage, type IppMessage } from '@trustnoone/ipp';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { startHostileRelay, type HostileRelay } from './hostile-relay.js';

const GET_ENCRYPTED_JOB_ATTRIBUTES = 0x006a;

let dir: string;
let state: string;
let printer: RunningPrinter;
let relay: HostileRelay;
let mode: 'forward' | 'swap' | 'capture' | 'replay' = 'forward';
let swapTo = 0;
let capturedAnswer: Uint8Array | undefined;

/** The same request, asking about another job. */
function withJobId(m: IppMessage, jobId: number): Uint8Array {
  const [ops, ...rest] = m.groups;
  const attributes = ops!.attributes.map((a) => (a.name === 'job-id' ? { ...a, values: [{ tag: 'integer' as const, value: jobId }] } : a));
  return encodeMessage({ ...m, groups: [{ ...ops!, attributes }, ...rest] });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue11-4-'));
  state = join(dir, 'state');
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  relay = await startHostileRelay(printer.uri, async (req, forward) => {
    if (req.message.code !== GET_ENCRYPTED_JOB_ATTRIBUTES || mode === 'forward') return forward(req.body);
    if (mode === 'swap') return forward(withJobId(req.message, swapTo));
    if (mode === 'replay' && capturedAnswer) return capturedAnswer;
    capturedAnswer = await forward(req.body);
    return capturedAnswer;
  });
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  expect((await tno(['trust', 'pin', '--printer', printer.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
  // Trust is kept per URI (decisions.md D23): the relay's URI is pinned with the printer's fingerprint too.
  expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
  await mkdir(join(state, 'identity'), { recursive: true });
  expect((await tno(['keys', 'generate', '--kind', 'client', '--name', 'alice', '--cert', join(state, 'identity', 'cert.pem'), '--key', join(state, 'identity', 'key.pem')])).code).toBe(ExitCode.ok);
  await writeFile(join(dir, 'doc.txt'), 'text\n');
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function printNamed(name: string): Promise<number> {
  const r = await tno(['print', join(dir, 'doc.txt'), '--printer', relay.uri, '--state', state, '-U', 'alice', '-o', `job-name=${name}`, '--json']);
  expect(r.code, r.err).toBe(ExitCode.ok);
  return JSON.parse(r.out).jobId as number;
}

const status = (jobId: number) => tno(['status', String(jobId), '--printer', relay.uri, '--state', state, '-U', 'alice', '--private', '--json', '--attribute', 'job-name', '--attribute', 'job-state']);

describe('issue 11.4: unbound sealed status answers', () => {
  it("a relay that answers the question about job Y with job X's sealed answer (same owner) is caught", async () => {
    const x = await printNamed('payroll X');
    const y = await printNamed('memo Y');
    mode = 'forward';
    const honest = await status(y);
    expect(honest.code, honest.err).toBe(ExitCode.ok);
    expect(JSON.parse(honest.out).encryptedAttributes['job-name']).toBe('memo Y');
    expect(honest.err).toBe('');

    mode = 'swap';
    swapTo = x;
    const swapped = await status(y);
    expect(swapped.out).not.toContain('payroll X');
    expect(swapped.code, swapped.out).not.toBe(ExitCode.ok);
    expect(swapped.err).toMatch(/not for job/);
  });

  it('a relay that hands back an answer it captured earlier, for a new question about the same job, is caught', async () => {
    const y = await printNamed('memo replayed');
    mode = 'capture';
    capturedAnswer = undefined;
    const first = await status(y);
    expect(first.code, first.err).toBe(ExitCode.ok);
    expect(capturedAnswer).toBeDefined();

    mode = 'replay';
    const replayed = await status(y);
    expect(replayed.code, replayed.out).not.toBe(ExitCode.ok);
    expect(replayed.err).toMatch(/replaying an old answer/);
    mode = 'forward';
  });
});
