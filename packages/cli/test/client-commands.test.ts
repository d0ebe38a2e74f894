/**
 * tno print / status / jobs / cancel / trust against the real printer emulator, directly and
 * through the intermediary, on 127.0.0.1: exit statuses, one-line errors, JSON output.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { formatFingerprint } from '@trustnoone/client';
import { startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { tno } from './helpers.js';

let dir: string;
let printer: RunningPrinter;
let relay: RunningIntermediary;
let doc: string;
let fingerprint: string;
let owner: { cert: string; key: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-cli-client-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  relay = await startIntermediary({ stateDir: join(dir, 'relay'), port: 0, upstreams: [{ uri: printer.uri }], handleSignals: false, announce: () => undefined, logger: false });
  fingerprint = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  const id = createIdentity({ commonName: 'alice', algorithm: 'p256' });
  owner = { cert: join(dir, 'alice.crt'), key: join(dir, 'alice.key') };
  await writeFile(owner.cert, certificateToPem(id.certificate));
  await writeFile(owner.key, privateKeyToPem(id.privateKey));
  doc = join(dir, 'memo.txt');
  await writeFile(doc, 'memo\n\fpage two\n');
});

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

function oneLine(err: string): void {
  expect(err.trimEnd().split('\n')).toHaveLength(1);
  expect(err).toMatch(/^tno: /);
}

describe('tno print and tno trust', () => {
  it('refuses an unknown printer without a terminal to ask (exit 3), naming the fix', async () => {
    const state = join(dir, 'state-strict');
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state]);
    expect(r.code).toBe(ExitCode.untrusted);
    oneLine(r.err);
    expect(r.err).toContain('tno trust pin');
    expect(r.err).toContain(formatFingerprint(fingerprint));
  });

  it('pins only the fingerprint read on the printer, then prints through the intermediary', async () => {
    const state = join(dir, 'state-pin');
    const wrong = await tno(['trust', 'pin', '--printer', relay.uri, '--state', state, '--fingerprint', 'ab'.repeat(32)]);
    expect(wrong.code).toBe(ExitCode.untrusted);
    oneLine(wrong.err);
    const pin = await tno(['trust', 'pin', '--printer', relay.uri, '--state', state, '--fingerprint', formatFingerprint(fingerprint), '--json']);
    expect(pin.code).toBe(ExitCode.ok);
    expect(JSON.parse(pin.out)).toMatchObject({ fingerprint: formatFingerprint(fingerprint) });

    // The owner's identity in the state directory: tno print binds unsigned jobs to it (issue 11.9).
    await mkdir(join(state, 'identity'), { recursive: true });
    await copyFile(owner.cert, join(state, 'identity', 'cert.pem'));
    await copyFile(owner.key, join(state, 'identity', 'key.pem'));
    const r = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--strict', '-n', '2', '-o', 'job-name=Board minutes']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.out).toMatch(/^job \d+ completed: encrypted to urn:uuid:\S+ \(key pinned, fingerprint [0-9A-F:]+\)\n$/);

    // The owner reads the sealed job attributes through the relay (Get-Encrypted-Job-Attributes).
    const jobId = /^job (\d+)/.exec(r.out)![1]!;
    const st = await tno(['status', jobId, '--printer', relay.uri, '--state', state, '--cert', owner.cert, '--key', owner.key, '--json']);
    expect(st.code, st.err).toBe(ExitCode.ok);
    expect(JSON.parse(st.out)).toMatchObject({ jobName: 'encrypted job', encryptedAttributes: { 'job-name': 'Board minutes', copies: 2 } });

    // --private: the same with the identity kept in the state directory.
    const missing = await tno(['status', jobId, '--printer', relay.uri, '--state', join(dir, 'state-without-identity'), '--private']);
    expect(missing.code).toBe(ExitCode.usage);
    oneLine(missing.err);
    expect(missing.err).toMatch(/tno keys generate --kind client/);
    const priv = await tno(['status', jobId, '--printer', relay.uri, '--state', state, '--private', '--json']);
    expect(priv.code, priv.err).toBe(ExitCode.ok);
    expect(JSON.parse(priv.out)).toMatchObject({ encryptedAttributes: { 'job-name': 'Board minutes' } });

    // With an identity, a new job is bound to it: another certificate in the same user's name
    // (what a relay would send) is refused, the identity is answered.
    const bound = await tno(['print', doc, '--printer', relay.uri, '--state', state, '--strict', '-o', 'job-name=Bound minutes']);
    expect(bound.code, bound.err).toBe(ExitCode.ok);
    const boundId = /^job (\d+)/.exec(bound.out)![1]!;
    const other = createIdentity({ commonName: 'alice' });
    await writeFile(join(dir, 'other.crt'), certificateToPem(other.certificate));
    await writeFile(join(dir, 'other.key'), privateKeyToPem(other.privateKey));
    const stranger = await tno(['status', boundId, '--printer', relay.uri, '--state', state, '--cert', join(dir, 'other.crt'), '--key', join(dir, 'other.key')]);
    expect(stranger.code).not.toBe(ExitCode.ok);
    const mine = await tno(['status', boundId, '--printer', relay.uri, '--state', state, '--private', '--json']);
    expect(mine.code, mine.err).toBe(ExitCode.ok);
    expect(JSON.parse(mine.out)).toMatchObject({ encryptedAttributes: { 'job-name': 'Bound minutes' } });

    const show = await tno(['trust', 'show', '--printer', relay.uri, '--state', state, '--json']);
    expect(JSON.parse(show.out).printer).toMatchObject({ decision: 'pinned', fingerprint: formatFingerprint(fingerprint) });
  });

  it('trusts on first use with --trust-on-first-use, warning with the fingerprint; --json for scripts', async () => {
    const state = join(dir, 'state-tofu');
    const r = await tno(['print', doc, '--printer', printer.uri, '--state', state, '--trust-on-first-use', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.err).toContain(`on first use; its key fingerprint is ${formatFingerprint(fingerprint)}`);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ state: 'completed', encrypted: true, signed: false, trust: { kind: 'first-use', fingerprint: formatFingerprint(fingerprint) } });

    const st = await tno(['status', String(j.jobId), '--printer', printer.uri, '--json']);
    expect(JSON.parse(st.out)).toMatchObject({ jobId: j.jobId, state: 'completed' });
    const list = await tno(['jobs', '--printer', printer.uri, '--which', 'completed', '--json']);
    expect(JSON.parse(list.out).map((x: { jobId: number }) => x.jobId)).toContain(j.jobId);
    const cancel = await tno(['cancel', String(j.jobId), '--printer', printer.uri]);
    expect(cancel.code).toBe(ExitCode.failure);
    oneLine(cancel.err);

    const forget = await tno(['trust', 'forget', j.trust ? JSON.parse(r.out).printerUuid : '', '--state', state]);
    expect(forget.code).toBe(ExitCode.ok);
    const again = await tno(['trust', 'forget', '--printer', printer.uri, '--state', state]);
    expect(again.code).toBe(ExitCode.failure);
  });

  it('asks on a terminal, showing the fingerprint: "n" refuses (exit 3), "y" pins and prints', async () => {
    const state = join(dir, 'state-ask');
    const no = await tno(['print', doc, '--printer', printer.uri, '--state', state], {}, process.cwd(), { input: 'n\n' });
    expect(no.code).toBe(ExitCode.untrusted);
    expect(no.err).toContain(formatFingerprint(fingerprint));
    expect(no.err).toContain('Trust and pin this key? [y/N]');
    const yes = await tno(['print', doc, '--printer', printer.uri, '--state', state], {}, process.cwd(), { input: 'y\n' });
    expect(yes.code, yes.err).toBe(ExitCode.ok);
    const show = await tno(['trust', 'show', '--state', state, '--json']);
    expect(Object.values(JSON.parse(show.out).pins).map((p) => (p as { fingerprint: string }).fingerprint)).toEqual([formatFingerprint(fingerprint)]);
  });

  it('draws the progress bar in place on a terminal', async () => {
    const big = join(dir, 'big-tty.pdf');
    await writeFile(big, '%PDF-1.4\n'.concat('y'.repeat(5 * 1024 * 1024)));
    const r = await tno(['print', big, '--printer', printer.uri, '--state', join(dir, 'state-tty'), '--trust-on-first-use', '--no-wait'], {}, process.cwd(), { input: '' });
    expect(r.code, r.err).toBe(ExitCode.ok);
    // With the rate once measurable (issue 15.4), and the rest of the line erased (EL, ECMA-48 §8.3.41).
    expect(r.err).toMatch(/\rupload \[#{30}\] 100% 5\.0\/5\.0 MB( [\d.]+ MB\/s)?\x1b\[K\n/);
  });

  it('signs with --sign-key/--sign-cert, and prints from stdin with -', async () => {
    const state = join(dir, 'state-sign');
    const r = await tno(['print', doc, '--printer', printer.uri, '--state', state, '--trust-on-first-use', '--sign-key', owner.key, '--sign-cert', owner.cert, '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(JSON.parse(r.out)).toMatchObject({ state: 'completed', encrypted: true, signed: true });
    const noFormat = await tno(['print', '-', '--printer', printer.uri, '--state', state], {}, process.cwd(), undefined);
    expect(noFormat.code).toBe(ExitCode.usage);
    const piped = await tno(['print', '-', '-o', 'document-format=text/plain', '--printer', printer.uri, '--state', state, '--json'], {}, process.cwd(), { input: 'from a pipe\n', notTerminal: true });
    expect(piped.code, piped.err).toBe(ExitCode.ok);
    expect(JSON.parse(piped.out)).toMatchObject({ state: 'completed', trust: { kind: 'pinned' } });
  });

  it('reports a job the printer aborted as one line with exit 1', async () => {
    const broken = join(dir, 'broken.pdf');
    await writeFile(broken, '%PDF-1.7\nthis is not a PDF body\n');
    const r = await tno(['print', broken, '--printer', printer.uri, '--state', join(dir, 'state-broken'), '--trust-on-first-use']);
    expect(r.code).toBe(ExitCode.failure);
    expect(r.err.trimEnd().split('\n').at(-1)).toMatch(/^tno: job \d+ aborted/);
  });

  it('refuses an unsupported -o value before sending anything (exit 2)', async () => {
    const r = await tno(['print', doc, '--printer', printer.uri, '--state', join(dir, 'state-o'), '--trust-on-first-use', '-o', 'sides=three-sided']);
    expect(r.code).toBe(ExitCode.usage);
    oneLine(r.err);
    expect(r.err).toContain('sides=three-sided');
  });

  it('shows upload progress for a large document', async () => {
    const state = join(dir, 'state-big');
    // Not a real PDF: the printer refuses it quickly once received, which is all this test needs.
    const big = join(dir, 'big.pdf');
    await writeFile(big, '%PDF-1.4\n'.concat('x'.repeat(70).concat('\n').repeat(90_000)));
    const r = await tno(['print', big, '--printer', printer.uri, '--state', state, '--trust-on-first-use', '--no-wait', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.err).toMatch(/upload: 0% of 6\.\d MB sent( [\d.]+ MB\/s, ETA \d+ s)?\n(.*\n)*upload: 100% of 6\.\d MB sent( [\d.]+ MB\/s)?\n/);
    expect(JSON.parse(r.out).state).toBe('submitted');
  });

  it('gives usage errors as one line with exit 2', async () => {
    for (const args of [['print'], ['print', doc], ['status', 'x', '--printer', printer.uri], ['jobs', '--printer', printer.uri, '--which', 'some'], ['print', doc, '--printer', printer.uri, '--strict', '--trust-on-first-use'], ['trust', 'forget']]) {
      const r = await tno(args);
      expect(r.code, args.join(' ')).toBe(ExitCode.usage);
      oneLine(r.err);
    }
  });

  it('prints over ipps with the TLS certificate pinned by --pin, and refuses an unverifiable one', async () => {
    const tls = await startPrinter({ stateDir: join(dir, 'printer-tls'), port: 0, tls: true, logger: false });
    try {
      expect(tls.uri).toMatch(/^ipps:/);
      const state = join(dir, 'state-tls');
      const unverified = await tno(['print', doc, '--printer', tls.uri, '--state', state, '--trust-on-first-use']);
      expect(unverified.code).toBe(ExitCode.unreachable);
      oneLine(unverified.err);
      const r = await tno(['print', doc, '--printer', tls.uri, '--pin', tls.tlsFingerprint!, '--state', state, '--trust-on-first-use', '--json']);
      expect(r.code, JSON.stringify(r.err)).toBe(ExitCode.ok);
      expect(JSON.parse(r.out)).toMatchObject({ state: 'completed', encrypted: true });
    } finally {
      await tls.close();
    }
  });

  it('trusts a printer whose certificate chains to an anchor (verified), without any pin', async () => {
    const ca = createCertificateAuthority({ commonName: 'Example print CA' });
    const caFile = join(dir, 'site-ca.crt');
    await writeFile(caFile, certificateToPem(ca.certificate));
    const issued = await startPrinter({
      stateDir: join(dir, 'printer-ca'),
      port: 0,
      logger: false,
      issuer: { certificatePem: certificateToPem(ca.certificate), privateKeyPem: privateKeyToPem(ca.privateKey) },
    });
    try {
      const state = join(dir, 'state-anchor');
      expect((await tno(['trust', 'pin', '--anchor', caFile, '--state', state])).code).toBe(ExitCode.ok);
      const r = await tno(['print', doc, '--printer', issued.uri, '--state', state, '--strict']);
      expect(r.code, r.err).toBe(ExitCode.ok);
      expect(r.out).toContain('key verified by CN=Example print CA');
      const show = await tno(['trust', 'show', '--state', state, '--json']);
      // No pin: the URI is only bound to the verified printer (D9), as "anchor".
      expect(JSON.parse(show.out).printers.map((b: { how: string }) => b.how)).toEqual(['anchor']);
    } finally {
      await issued.close();
    }
  });

  it('reports an unreachable printer with exit 5', async () => {
    const r = await tno(['jobs', '--printer', 'ipp://127.0.0.1:1/ipp/print', '--timeout', '2']);
    expect(r.code).toBe(ExitCode.unreachable);
    oneLine(r.err);
  });
});
