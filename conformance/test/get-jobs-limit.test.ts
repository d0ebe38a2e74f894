/**
 * Issue 13.11: trustnoone-printer.sealed-job-attributes-hidden listed every job of the printer
 * (Get-Jobs which-jobs=all, requested-attributes=all, no limit) and failed with
 * too-many-attributes once the printer held ~700 jobs. It now asks for the completed jobs of its
 * own user with a limit (and job-ids naming the sealed job, PWG 5100.11, for printers that honour
 * it). Here the printer holds 800 jobs of another user when the suite runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMessage, decodeMessage } from '@trustnoone/ipp';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { runConformance } from '@trustnoone/conformance';

let p: RunningPrinter | undefined;
let dir: string | undefined;
afterAll(async () => {
  await p?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Sends a bare IPP request (operation attributes only) and returns the answer. */
async function call(uri: string, user: string, code: number, extra: { name: string; values: { tag: 'integer'; value: number }[] }[] = []) {
  const body = encodeMessage({
    version: { major: 2, minor: 0 },
    code,
    requestId: 1,
    groups: [
      {
        tag: 0x01,
        attributes: [
          { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
          { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
          { name: 'printer-uri', values: [{ tag: 'uri', value: uri }] },
          { name: 'requesting-user-name', values: [{ tag: 'nameWithoutLanguage', value: user }] },
          ...extra,
        ],
      },
    ],
  });
  const res = await fetch(uri.replace(/^ipp:/, 'http:'), { method: 'POST', headers: { 'content-type': 'application/ipp' }, body });
  return decodeMessage(new Uint8Array(await res.arrayBuffer()));
}

/** Create-Job then Cancel-Job: a job in the printer's history, cheaply. */
async function canceledJob(uri: string, user: string): Promise<void> {
  const created = await call(uri, user, 0x0005);
  expect(created.code).toBe(0);
  const id = created.groups.find((g) => g.tag === 0x02)?.attributes.find((a) => a.name === 'job-id')?.values[0];
  if (id?.tag !== 'integer') throw new Error('no job-id');
  expect((await call(uri, user, 0x0008, [{ name: 'job-id', values: [id] }])).code).toBe(0);
}

describe('issue 13.11: sealed-job-attributes-hidden on a printer holding many jobs', () => {
  it('passes with 800 other jobs on the printer', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tno-conformance-many-'));
    p = await startPrinter({ stateDir: dir, port: 0, logger: false });
    for (let i = 0; i < 800; i++) await canceledJob(p.uri, 'someone-else');
    await new Promise((r) => setTimeout(r, 1100)); // printer-up-time is integer(1:MAX)
    const report = await runConformance({ target: p.uri, role: 'printer', only: ['trustnoone-printer.sealed-job-attributes-hidden'] });
    const result = report.results.find((r) => r.id === 'trustnoone-printer.sealed-job-attributes-hidden');
    expect(result?.outcome, result?.reason).toBe('passed');
  }, 120_000);
});
