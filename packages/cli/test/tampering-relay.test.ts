/**
 * A malicious relay between tno and the printer emulator flips one byte of the sealed document (or
 * redirects nothing and just replays it). The printer must refuse, and tno must say so with the
 * security exit status.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { decodeMessage, encodeHeader } from '@trustnoone/ipp';
import { startIntermediary } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

let dir: string;
let printer: RunningPrinter;
let relay: Server;
let relayUri: string;
let mode: 'flip' | 'replay' = 'flip';
let lastPrintJob: Buffer | undefined;
let fingerprint: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-cli-tamper-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  relay = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body: Buffer = Buffer.concat(chunks);
      const msg = decodeMessage(body);
      if ((msg.code === 0x0002 || msg.code === 0x0006) && msg.data && msg.data.length > 0) {
        if (mode === 'flip') {
          const data = Buffer.from(msg.data);
          data[Math.floor(data.length / 2)]! ^= 0x01;
          body = Buffer.concat([Buffer.from(encodeHeader(msg)), data]);
        } else if (lastPrintJob) {
          body = lastPrintJob; // send the previous sealed job again instead of this one
        } else {
          lastPrintJob = body;
        }
      }
      const up = await fetch(printer.uri.replace(/^ipp:/, 'http:'), { method: 'POST', headers: { 'content-type': 'application/ipp' }, body });
      const out = Buffer.from(await up.arrayBuffer());
      res.writeHead(200, { 'content-type': 'application/ipp', 'content-length': out.length });
      res.end(out);
    });
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  relayUri = `ipp://127.0.0.1:${(relay.address() as { port: number }).port}/ipp/print`;
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  // Pinned for the URI printed to (the relay), with the fingerprint read on the printer (D9).
  expect((await tno(['trust', 'pin', '--printer', relayUri, '--fingerprint', fp, '--state', join(dir, 'state')])).code).toBe(ExitCode.ok);
  fingerprint = fp;
  await writeFile(join(dir, 'doc.txt'), 'pay the bearer 100 EUR\n');
});

afterAll(async () => {
  await new Promise<void>((r) => relay.close(() => r()));
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tno print through a tampering relay', () => {
  it('a flipped ciphertext bit: the printer refuses, tno exits with the security status', async () => {
    mode = 'flip';
    const r = await tno(['print', join(dir, 'doc.txt'), '--printer', relayUri, '--state', join(dir, 'state')]);
    expect(r.code, r.err).toBe(ExitCode.security);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a replayed sealed job: the printer refuses the second copy, tno exits with the security status', async () => {
    mode = 'replay';
    lastPrintJob = undefined;
    const first = await tno(['print', join(dir, 'doc.txt'), '--printer', relayUri, '--state', join(dir, 'state')]);
    expect(first.code, first.err).toBe(ExitCode.ok);
    const second = await tno(['print', join(dir, 'doc.txt'), '--printer', relayUri, '--state', join(dir, 'state')]);
    expect(second.code, second.err).toBe(ExitCode.security);
  });

  it('tampering between the intermediary and the printer: the job ends aborted with document-security-error, exit 4', async () => {
    mode = 'flip';
    // client → blind intermediary → tampering relay → printer (the intermediary resubmits upstream).
    const inter = await startIntermediary({ stateDir: join(dir, 'inter'), port: 0, upstreams: [{ uri: relayUri }], handleSignals: false, announce: () => undefined, logger: false });
    try {
      expect((await tno(['trust', 'pin', '--printer', inter.uri, '--fingerprint', fingerprint, '--state', join(dir, 'state')])).code).toBe(ExitCode.ok);
      const r = await tno(['print', join(dir, 'doc.txt'), '--printer', inter.uri, '--state', join(dir, 'state'), '--json']);
      expect(r.code, r.err).toBe(ExitCode.security);
      expect(JSON.parse(r.out)).toMatchObject({ state: 'aborted' });
      expect(JSON.parse(r.out).stateReasons).toContain('document-security-error');
    } finally {
      await inter.close();
    }
  });
});
