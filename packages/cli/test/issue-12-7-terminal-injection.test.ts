/**
 * Issue 12 item 7: terminal injection. A hostile server (here a relay in front of a real tno
 * printer) puts escape sequences and other control characters into job names, state messages,
 * user names, reasons and status messages; `tno jobs`, `tno status` and the error line of any
 * command must show them escaped, never write them raw to the terminal. --json keeps the values
 * exactly (JSON escapes) with no raw control byte either.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { startHostileRelay, withAttribute, type HostileRelay } from './rewriting-relay.js';

const ESC = '\u001b';
/** Retitles the window (OSC 0), clears the screen, a one-byte C1 CSI, a forged second line, bidi override. */
const HOSTILE = {
  name: `invoice${ESC}]0;pwned${ESC}\\${ESC}[2J\u009b31m\u202eexe.pdf`,
  message: `printing\r\ntno: job 1 completed: encrypted and signed${ESC}[1A`,
  user: `alice${ESC}[8m hidden`,
  reason: `none${ESC}[31m`,
};
/** Anything a terminal would act on: C0 (newline allowed only as our own line end), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let dir: string;
let printer: RunningPrinter;
let relay: HostileRelay;
let jobId: number;

function text(value: string): IppAttribute['values'] {
  return [{ tag: 'nameWithoutLanguage', value }] as unknown as IppAttribute['values'];
}

/** Poisons every job group of an answer and the status-message of every error answer. */
function poison(_op: number, m: IppMessage): IppMessage {
  const groups = m.groups.map((g) => {
    if (g.tag !== GroupTag.job) return g;
    let attrs = [...g.attributes];
    attrs = withAttribute(attrs, 'job-name', text(HOSTILE.name));
    attrs = withAttribute(attrs, 'job-state-message', [{ tag: 'textWithoutLanguage', value: HOSTILE.message }] as unknown as IppAttribute['values']);
    attrs = withAttribute(attrs, 'job-originating-user-name', text(HOSTILE.user));
    attrs = withAttribute(attrs, 'job-state-reasons', [{ tag: 'keyword', value: HOSTILE.reason }] as unknown as IppAttribute['values']);
    return { ...g, attributes: attrs };
  });
  if (m.code < 0x0400) return { ...m, groups };
  return {
    ...m,
    groups: groups.map((g) => (g.tag === GroupTag.operation ? { ...g, attributes: withAttribute(g.attributes, 'status-message', [{ tag: 'textWithoutLanguage', value: HOSTILE.message }] as unknown as IppAttribute['values']) } : g)),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-12-7-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  relay = await startHostileRelay(printer.uri);
  await writeFile(join(dir, 'doc.txt'), 'hello\n');
  const r = await tno(['print', join(dir, 'doc.txt'), '--printer', relay.uri, '--state', join(dir, 'state'), '--trust-on-first-use', '--no-wait', '--json']);
  expect(r.code, r.err).toBe(ExitCode.ok);
  jobId = JSON.parse(r.out).jobId as number;
  relay.rewriteResponse = poison;
});

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

function expectNoRawControl(output: string): void {
  expect(output).not.toMatch(RAW_CONTROL);
}

describe('issue 12.7: terminal injection', () => {
  it('tno jobs shows hostile job names, user names and reasons escaped, one line per job', async () => {
    const r = await tno(['jobs', '--printer', relay.uri, '--which', 'all']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expectNoRawControl(r.out);
    expect(r.out).toContain('invoice\\x1b]0;pwned');
    expect(r.out).toContain('\\x9b31m\\u202eexe.pdf');
    expect(r.out).toContain('alice\\x1b[8m hidden');
    expect(r.out.trimEnd().split('\n')).toHaveLength(1);
  });

  it('tno status shows a hostile state message escaped: it cannot forge a line or move the cursor', async () => {
    const r = await tno(['status', String(jobId), '--printer', relay.uri]);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expectNoRawControl(r.out);
    expect(r.out).toContain('printing\\r\\ntno: job 1 completed: encrypted and signed\\x1b[1A');
    // The job's line, its message, and its counters line (issue 15.7): the forged text stays inside
    // the message line, and no line of the output starts with it.
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => l.includes('tno: job 1 completed'))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('tno:'))).toBe(false);
    expect(lines[2]).toMatch(/^\s+(completed:|impressions, sheets, pages: unknown)/);
  });

  it('--json keeps the exact values and writes no raw control byte', async () => {
    for (const args of [['jobs', '--printer', relay.uri, '--which', 'all', '--json'], ['status', String(jobId), '--printer', relay.uri, '--json']]) {
      const r = await tno(args);
      expect(r.code, r.err).toBe(ExitCode.ok);
      expectNoRawControl(r.out.replace(/\n/g, ''));
      const parsed = JSON.parse(r.out) as { jobName: string; owner: string } | { jobName: string; owner: string }[];
      const job = Array.isArray(parsed) ? parsed[0]! : parsed;
      expect(job.jobName).toBe(HOSTILE.name);
      expect(job.owner).toBe(HOSTILE.user);
    }
  });

  it("a hostile status-message in an error answer reaches the one-line error escaped", async () => {
    const r = await tno(['cancel', '999999', '--printer', relay.uri]);
    expect(r.code).not.toBe(ExitCode.ok);
    expectNoRawControl(r.err.replace(/\n$/, ''));
    expect(r.err).toContain('\\x1b[1A');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });
});
