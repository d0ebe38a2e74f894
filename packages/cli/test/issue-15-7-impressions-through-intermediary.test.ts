/**
 * Issue 15 item 7, impressions through the intermediary: `tno status` asked of the intermediary
 * shows how far a clear job printed (the intermediary mirrors job-impressions-completed,
 * job-media-sheets-completed and job-pages-completed from the printer), and says plainly that a
 * sealed job's counters are unknown in clear (issue 11.5: they would give away copies and sides).
 * Both servers run as `tno printer` and `tno intermediary` start them; ipptool (CUPS) submits the
 * clear job and reads the counters back from the intermediary with Get-Job-Attributes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { ipptool, startPrinterAndIntermediary, type TnoServer } from '../../../testing/ipptool.js';
import { tno } from './helpers.js';

let dir: string;
let servers: { printer: TnoServer; intermediary: TnoServer; stop(): Promise<void> };
let relay: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-15-7-imp-'));
  servers = await startPrinterAndIntermediary(dir, 'ipp');
  relay = servers.intermediary.uri;
  await writeFile(join(dir, 'three-pages.txt'), 'page 1\fpage 2\fpage 3\n');
}, 90_000);

afterAll(async () => {
  await servers?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Polls `tno status --json` through the intermediary until the job is terminal. */
async function finalStatus(jobId: number, state?: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 120; i++) {
    const r = await tno(['status', String(jobId), '--printer', relay, '-U', 'alice', '--json', ...(state ? ['--state', state] : [])]);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const s = JSON.parse(r.out) as Record<string, unknown>;
    if (['completed', 'aborted', 'canceled'].includes(s.state as string)) return s;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`job ${jobId} did not end within 30 s`);
}

function ipptoolFile(body: string): string {
  return `{\n  NAME "${body.split('\n')[0]}"\n${body.split('\n').slice(1).join('\n')}\n}\n`;
}

describe('issue 15.7: impressions through the intermediary', () => {
  it('a clear job: tno status and ipptool Get-Job-Attributes against the intermediary show the printed counts', async () => {
    const submit = join(dir, 'print.test');
    await writeFile(
      submit,
      ipptoolFile(`clear Print-Job through the intermediary
  OPERATION Print-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name alice
  ATTR mimeMediaType document-format text/plain
  FILE ${join(dir, 'three-pages.txt')}
  STATUS successful-ok
  EXPECT job-id OF-TYPE integer`),
    );
    const printed = await ipptool(['-tv', relay, submit], dir);
    expect(printed.code, printed.failures()).toBe(0);
    const jobId = Number(/job-id \(integer\) = (\d+)/.exec(printed.out)?.[1]);
    expect(jobId).toBeGreaterThan(0);

    const s = await finalStatus(jobId);
    expect(s.state).toBe('completed');
    expect(s).toMatchObject({ impressionsCompleted: 3, mediaSheetsCompleted: 3, pagesCompleted: 3 });
    const text = await tno(['status', String(jobId), '--printer', relay, '-U', 'alice']);
    expect(text.out).toContain('3 impressions');
    expect(text.out).toContain('completed: 3 impressions, 3 sheets, 3 pages');

    const read = join(dir, 'get.test');
    await writeFile(
      read,
      ipptoolFile(`Get-Job-Attributes from the intermediary
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id ${jobId}
  ATTR name requesting-user-name alice
  STATUS successful-ok
  EXPECT job-impressions-completed OF-TYPE integer IN-GROUP job-attributes-tag WITH-VALUE 3
  EXPECT job-media-sheets-completed OF-TYPE integer IN-GROUP job-attributes-tag WITH-VALUE 3
  EXPECT job-pages-completed OF-TYPE integer IN-GROUP job-attributes-tag WITH-VALUE 3`),
    );
    const got = await ipptool(['-t', relay, read], dir);
    expect(got.code, got.failures()).toBe(0);
  }, 120_000);

  it("a sealed job: the counters are 'unknown' in clear, and tno status says so and where to read them", async () => {
    const state = join(dir, 'state');
    const r = await tno(['print', join(dir, 'three-pages.txt'), '--printer', relay, '--state', state, '--trust-on-first-use', '-U', 'alice', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const jobId = JSON.parse(r.out).jobId as number;
    const s = await finalStatus(jobId, state);
    expect(s.state).toBe('completed');
    expect(s).toMatchObject({ impressionsCompleted: 'unknown', mediaSheetsCompleted: 'unknown', pagesCompleted: 'unknown' });
    const text = await tno(['status', String(jobId), '--printer', relay, '--state', state, '-U', 'alice']);
    expect(text.out).toContain('impressions unknown');
    expect(text.out).toMatch(/impressions, sheets, pages: unknown \(a sealed job's counters are not shown in clear; the owner reads them with --private/);

    // Its owner reads them sealed through the same intermediary, by default.
    const mine = await tno(['status', String(jobId), '--printer', relay, '--state', state, '-U', 'alice', '--private']);
    expect(mine.code, mine.err).toBe(ExitCode.ok);
    expect(mine.out).toContain('their sealed values are below');
    expect(mine.out).toContain('job-impressions-completed = 3');

    const read = join(dir, 'get-sealed.test');
    await writeFile(
      read,
      ipptoolFile(`Get-Job-Attributes of a sealed job from the intermediary
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id ${jobId}
  ATTR name requesting-user-name alice
  STATUS successful-ok
  EXPECT job-impressions-completed OF-TYPE unknown IN-GROUP job-attributes-tag
  EXPECT job-media-sheets-completed OF-TYPE unknown IN-GROUP job-attributes-tag
  EXPECT job-pages-completed OF-TYPE unknown IN-GROUP job-attributes-tag`),
    );
    const got = await ipptool(['-t', relay, read], dir);
    expect(got.code, got.failures()).toBe(0);
  }, 120_000);
});
