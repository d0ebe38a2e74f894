/**
 * Issue 11.1, truncation by Close-Job (docs/profile.md §2, §4 step 3): a hostile relay lets
 * document 1 of a two-document sealed job through (sealed last-document=false) and, instead of
 * document 2, sends Close-Job. Only the sealed last-document ends a sealed job, so the printer
 * must abort the job with document-security-error and print nothing — directly, and when the
 * relay sits in front of our intermediary, which forwards the Close-Job upstream.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { startIntermediary } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { forgeRequest, opValue, startHostileRelay, type HostileRelay, type RelayedRequest, type Forward } from './hostile-relay.js';

const SEND_DOCUMENT = 0x0006;
const CLOSE_JOB = 0x003b;

let dir: string;
let printer: RunningPrinter;
let fp: string;

/** Trust is kept per URI (decisions.md D23): the relay's URI is pinned with the printer's fingerprint. */
async function pinAt(uri: string): Promise<void> {
  expect((await tno(['trust', 'pin', '--printer', uri, '--fingerprint', fp, '--state', join(dir, 'state')])).code).toBe(ExitCode.ok);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue11-1-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  await writeFile(join(dir, 'one.txt'), 'page one of the contract\n');
  await writeFile(join(dir, 'two.txt'), Array.from({ length: 5 }, (_, i) => `clause ${i + 2}\f`).join(''));
}, 60_000);

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The relay's trick: the job's closing Send-Document becomes a Close-Job for the same job. */
async function truncate(req: RelayedRequest, forward: Forward, printerUri: string, beforeClose?: () => Promise<void>): Promise<Uint8Array> {
  if (req.message.code === SEND_DOCUMENT && opValue(req.message, 'last-document') === true) {
    await beforeClose?.();
    const user = opValue(req.message, 'requesting-user-name') as string;
    return forward(
      forgeRequest(CLOSE_JOB, printerUri, [
        { name: 'requesting-user-name', values: [{ tag: 'nameWithoutLanguage', value: user }] },
        { name: 'job-id', values: [{ tag: 'integer', value: opValue(req.message, 'job-id') as number }] },
      ]),
    );
  }
  return forward(req.body);
}

/** The printer's newest job, once it ended. */
async function lastPrinterJob() {
  const newest = printer.printer.runtime.store.list()[0]!;
  return printer.printer.runtime.store.whenFinalized(newest.id);
}

describe('issue 11.1: truncation by Close-Job', () => {
  it('a relay that closes a sealed job after its first document: the printer aborts it and prints nothing', async () => {
    const relay: HostileRelay = await startHostileRelay(printer.uri, (req, forward) => truncate(req, forward, printer.uri));
    try {
      await pinAt(relay.uri);
      const r = await tno(['print', join(dir, 'one.txt'), join(dir, 'two.txt'), '--printer', relay.uri, '--state', join(dir, 'state'), '--json']);
      expect(r.code, r.err).not.toBe(ExitCode.ok);
      const job = await lastPrinterJob();
      expect(job.documentsReceived).toBe(1);
      expect(job.state).toBe('aborted');
      expect([...job.reasons]).toContain('document-security-error');
      expect(job.pagesCompleted).toBe(0);
    } finally {
      await relay.close();
    }
  });

  it('the same relay in front of our intermediary: the Close-Job it forwards ends the job aborted at the printer', async () => {
    const inter = await startIntermediary({ stateDir: join(dir, 'inter'), port: 0, upstreams: [{ uri: printer.uri }], handleSignals: false, announce: () => undefined, logger: false });
    const before = printer.printer.runtime.store.list()[0]?.id ?? 0;
    // The relay waits until the intermediary delivered document 1 (a relay can always delay), so
    // the Close-Job reaches the printer as a Close-Job and not folded into the last document.
    const delivered = () => printer.printer.runtime.store.waitFor(before + 1, (j) => j.documentsReceived === 1 && j.reasons.has('job-data-insufficient'), 20_000).then(() => undefined);
    const relay = await startHostileRelay(inter.uri, (req, forward) => truncate(req, forward, inter.uri, delivered));
    try {
      await pinAt(relay.uri);
      const r = await tno(['print', join(dir, 'one.txt'), join(dir, 'two.txt'), '--printer', relay.uri, '--state', join(dir, 'state'), '--json']);
      expect(r.code, r.err).not.toBe(ExitCode.ok);
      const upstream = await printer.printer.runtime.store.waitFor(before + 1, (j) => j.finalized, 30_000);
      expect(upstream.documentsReceived).toBe(1);
      expect(upstream.state).toBe('aborted');
      expect([...upstream.reasons]).toContain('document-security-error');
      expect(upstream.pagesCompleted).toBe(0);
      // The client, asking the intermediary, learns how the job ended.
      expect(JSON.parse(r.out)).toMatchObject({ state: 'aborted' });
    } finally {
      await relay.close();
      await inter.close();
    }
  });
});
