/**
 * Issue 11.5, counters reveal sealed values: from job-pages-completed, job-impressions-completed
 * and job-media-sheets-completed anyone can work out a sealed job's copies and sides. A hostile
 * relay (or any stranger) asks the printer in clear with Get-Jobs and Get-Job-Attributes; for a
 * sealed job the printer must not answer them with numbers. The owner still reads them in the
 * sealed Get-Encrypted-Job-Attributes answer.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { decodeMessage, type IppMessage } from '@trustnoone/ipp';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { forgeRequest, startHostileRelay, type HostileRelay } from './hostile-relay.js';

const COUNTERS = ['job-pages-completed', 'job-impressions-completed', 'job-media-sheets-completed'] as const;
const GET_JOB_ATTRIBUTES = 0x0009;
const GET_JOBS = 0x000a;

let dir: string;
let printer: RunningPrinter;
let relay: HostileRelay;
let state: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue11-5-'));
  state = join(dir, 'state');
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  relay = await startHostileRelay(printer.uri, (req, forward) => forward(req.body));
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
  const id = join(state, 'identity');
  await mkdir(id, { recursive: true });
  expect((await tno(['keys', 'generate', '--kind', 'client', '--name', 'alice', '--cert', join(id, 'cert.pem'), '--key', join(id, 'key.pem')])).code).toBe(ExitCode.ok);
  await writeFile(join(dir, 'three-pages.txt'), 'page 1\fpage 2\fpage 3\n');
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

function counterValues(groups: IppMessage['groups']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const g of groups) {
    for (const a of g.attributes) if ((COUNTERS as readonly string[]).includes(a.name)) out[a.name] = a.values.map((v) => ('value' in v ? v.value : v.tag));
  }
  return out;
}

describe('issue 11.5: counters reveal sealed values', () => {
  it('a stranger asking in clear gets no page, impression or sheet counts of a sealed job; the owner gets them sealed', async () => {
    const r = await tno(['print', join(dir, 'three-pages.txt'), '--printer', relay.uri, '--state', state, '-n', '2', '-o', 'sides=two-sided-long-edge', '--json', '-U', 'alice']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const jobId = JSON.parse(r.out).jobId as number;
    const job = await printer.printer.runtime.store.whenFinalized(jobId);
    expect(job.state).toBe('completed');
    expect(job.impressionsCompleted).toBeGreaterThan(0);

    const stranger = [{ name: 'requesting-user-name', values: [{ tag: 'nameWithoutLanguage' as const, value: 'mallory' }] }];
    const requested = { name: 'requested-attributes', values: [...COUNTERS, 'job-id'].map((value) => ({ tag: 'keyword' as const, value })) };
    const one = decodeMessage(await relay.forward(forgeRequest(GET_JOB_ATTRIBUTES, printer.uri, [...stranger, { name: 'job-id', values: [{ tag: 'integer', value: jobId }] }, requested])));
    expect(one.code).toBe(0x0000);
    const all = decodeMessage(
      await relay.forward(forgeRequest(GET_JOBS, printer.uri, [...stranger, { name: 'which-jobs', values: [{ tag: 'keyword', value: 'all' }] }, requested])),
    );
    expect(all.code).toBe(0x0000);
    for (const [what, answer] of [['Get-Job-Attributes', one], ['Get-Jobs', all]] as const) {
      const seen = counterValues(answer.groups.filter((g) => g.tag === 0x02));
      for (const name of COUNTERS) {
        expect((seen[name] as unknown[] | undefined)?.some((v) => typeof v === 'number'), `${what} ${name} = ${JSON.stringify(seen[name])}`).not.toBe(true);
      }
    }

    // The owner reads the real counts in the sealed answer.
    const s = await tno(['status', String(jobId), '--printer', relay.uri, '--state', state, '--private', '--json', '-U', 'alice', ...COUNTERS.flatMap((c) => ['--attribute', c])]);
    expect(s.code, s.err).toBe(ExitCode.ok);
    const sealed = JSON.parse(s.out).encryptedAttributes as Record<string, string>;
    expect(Number(sealed['job-impressions-completed'])).toBe(job.impressionsCompleted);
    expect(Number(sealed['job-pages-completed'])).toBe(job.pagesCompleted);
    expect(Number(sealed['job-media-sheets-completed'])).toBe(job.mediaSheetsCompleted);
  });
});
