/**
 * Interop with independent IPP implementations (CUPS): ipptool as the client, ippeveprinter as the
 * upstream printer, the intermediary in between with --allow-cleartext (ippeveprinter cannot
 * decrypt); and ipptool against the default policy, which must refuse a cleartext job.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIppEvePrinter, type IppEvePrinter } from '../../../testing/ippeveprinter.js';
import { GroupTag } from '@trustnoone/ipp';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { attr, findAttribute, integerValue } from '../src/attrs.js';
import { request, send, waitFor } from './fixtures/client.js';

const TESTS = '/usr/share/cups/ipptool';
let eve: IppEvePrinter;
let eveUri: string;
let spoolDir: string;
let relaxed: RunningIntermediary;
let strict: RunningIntermediary;

/** Runs ipptool asynchronously: the intermediary under test shares this process's event loop. */
function ipptool(uri: string, test: string, extra: string[] = []): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ipptool', ['-tv', '-T', '20', ...extra, uri, join(TESTS, test)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.on('close', (status) => resolve({ status, out }));
  });
}

beforeAll(async () => {
  eve = await startIppEvePrinter({ name: 'tno-interop', formats: ['application/pdf', 'image/jpeg', 'text/plain'] });
  eveUri = eve.uri;
  spoolDir = eve.spool;
  const common = { upstreams: [{ uri: eveUri }], port: 0, announce: () => {}, handleSignals: false, retryInitialMs: 50, pollMs: 100 } as const;
  relaxed = await startIntermediary({ ...common, stateDir: mkdtempSync(join(tmpdir(), 'tno-interop-')), requireEncryption: false });
  strict = await startIntermediary({ ...common, stateDir: mkdtempSync(join(tmpdir(), 'tno-interop-')) });
});
afterAll(async () => {
  await relaxed?.close();
  await strict?.close();
  await eve?.stop();
});

describe('ipptool → intermediary → ippeveprinter', () => {
  it('get-printer-attributes.test passes, with the intermediary named as the printer', async () => {
    const r = await ipptool(relaxed.uri, 'get-printer-attributes.test');
    expect(r.status, r.out).toBe(0);
    // ipptool sends "Host: localhost:PORT" for 127.0.0.1; the URI follows the Host the client used.
    const supported = /printer-uri-supported \(uri\) = (\S+)/.exec(r.out)?.[1];
    expect([relaxed.uri, relaxed.uri.replace('127.0.0.1', 'localhost')]).toContain(supported);
    // Only the attributes naming the printer object are ours; the rest (icons, supplies) stay the printer's.
    expect(r.out).not.toMatch(new RegExp(`printer-(uri-supported|more-info) \\(uri\\) = \\S*:${new URL(eveUri).port}/`));
  });

  it('print-job.test passes and the document reaches ippeveprinter byte for byte', async () => {
    const file = join(spoolDir, 'interop-input.txt');
    const text = `trustnoone interop ${Date.now()}\n`;
    writeFileSync(file, text);
    const r = await ipptool(relaxed.uri, 'print-job.test', ['-f', file, '-d', 'filetype=text/plain']);
    expect(r.status, r.out).toBe(0);
    const jobId = Number(/job-id \(integer\) = (\d+)/.exec(r.out)?.[1]);
    expect(jobId).toBeGreaterThan(0);
    const state = async (): Promise<number | undefined> => {
      const a = await send(relaxed.uri, request(0x0009, relaxed.uri, [attr.integer('job-id', jobId), attr.name('requesting-user-name', process.env.USER ?? 'root')]));
      return integerValue(findAttribute(a.message, GroupTag.job, 'job-state'));
    };
    await waitFor(async () => (await state()) === 9, 20_000, 'job completed at ippeveprinter');
    const kept = readdirSync(spoolDir).filter((f) => f !== 'interop-input.txt');
    expect(kept.some((f) => readFileSync(join(spoolDir, f), 'utf8') === text), `files: ${kept.join(', ')}`).toBe(true);
  });

  it('with the default policy, ipptool\'s cleartext print-job is refused with document-format-not-supported', async () => {
    const file = join(spoolDir, 'refused.txt');
    writeFileSync(file, 'must not be relayed\n');
    // The refusal comes before the upload is read and the connection then closes; on a loaded
    // machine ipptool can lose that race while still sending and report a transport error instead
    // of the status. One more attempt then; a job must never be accepted.
    let r = await ipptool(strict.uri, 'print-job.test', ['-f', file, '-d', 'filetype=text/plain']);
    if (!r.out.includes('(got ')) r = await ipptool(strict.uri, 'print-job.test', ['-f', file, '-d', 'filetype=text/plain']);
    expect(r.status, r.out).not.toBe(0);
    expect(r.out, r.out).toContain('client-error-document-format-not-supported');
    expect(r.out).not.toMatch(/job-id \(integer\)/);
  });
});
