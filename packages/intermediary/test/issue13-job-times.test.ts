/**
 * Issue 13.3: the intermediary's jobs carry time-at-creation, time-at-processing (REQUIRED, RFC 8011
 * §5.3.14.2) and time-at-completed, and those, job-printer-up-time and the printer-up-time it
 * answers in Get-Printer-Attributes are one clock (RFC 8011 §5.3.14, §5.4.29) — its own, not the
 * upstream printer's and not Unix seconds. Run against `tno intermediary` as shipped, in front of a
 * printer whose up-time is weeks (fake-printer.ts UPSTREAM_UP_TIME_AT_START).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag, type IppAttribute } from '@trustnoone/ipp';
import { attr, findAttribute, integerValue } from '../src/attrs.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { startFakePrinter, UPSTREAM_UP_TIME_AT_START, type FakePrinter } from './fixtures/fake-printer.js';
import { envelopeShaped, jobAttr, request, sealedPrintJob, send, waitFor, type Answer } from './fixtures/client.js';

let printer: FakePrinter;
let relay: TnoIntermediary;

beforeAll(async () => {
  printer = await startFakePrinter();
  // Long enough that the relay's poll (1 s as shipped) sees the job processing before it completes.
  printer.completeAfterMs = 2500;
  relay = await startTnoIntermediary(printer.uri);
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  await printer?.close();
});

const jobAttributes = (id: number): Promise<Answer> =>
  send(relay.uri, request(0x0009, relay.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', 'alice'), attr.keyword('requested-attributes', 'all')]));

async function printerTimes(): Promise<{ upTime: number | undefined; stateChange: number | undefined }> {
  const a = await send(relay.uri, request(0x000b, relay.uri, [attr.keyword('requested-attributes', 'printer-up-time', 'printer-state-change-time')]));
  return { upTime: integerValue(findAttribute(a.message, GroupTag.printer, 'printer-up-time')), stateChange: integerValue(findAttribute(a.message, GroupTag.printer, 'printer-state-change-time')) };
}

function integerOf(a: IppAttribute | undefined, name: string): number {
  const v = a?.values[0];
  if (v?.tag !== 'integer') throw new Error(`${name} is ${v ? v.tag : 'missing'}, not an integer`);
  return v.value;
}

describe('issue 13.3: intermediary job times on one clock', () => {
  it('a printed job has time-at-creation ≤ time-at-processing ≤ time-at-completed ≤ job-printer-up-time ≈ printer-up-time', async () => {
    const a = await send(relay.uri, sealedPrintJob(relay.uri), envelopeShaped('times'));
    expect(a.status, a.statusMessage).toBe(0);
    const id = a.jobId!;
    await waitFor(async () => integerValue(jobAttr(await jobAttributes(id), 'job-state')) === 9, 20_000, 'job completed');
    const before = await printerTimes();
    const g = await jobAttributes(id);
    const after = await printerTimes();
    const created = integerOf(jobAttr(g, 'time-at-creation'), 'time-at-creation');
    const processing = integerOf(jobAttr(g, 'time-at-processing'), 'time-at-processing');
    const completed = integerOf(jobAttr(g, 'time-at-completed'), 'time-at-completed');
    const jobUp = integerOf(jobAttr(g, 'job-printer-up-time'), 'job-printer-up-time');
    expect(created).toBeGreaterThanOrEqual(1);
    expect(processing).toBeGreaterThanOrEqual(created);
    expect(completed).toBeGreaterThanOrEqual(processing);
    expect(jobUp).toBeGreaterThanOrEqual(completed);
    // job-printer-up-time is printer-up-time at the moment of the answer (RFC 8011 §5.3.14.4).
    expect(jobUp).toBeGreaterThanOrEqual(before.upTime!);
    expect(jobUp).toBeLessThanOrEqual(after.upTime!);
    // Our clock, started with the relay seconds ago — not the upstream's weeks, not Unix seconds.
    expect(after.upTime!).toBeLessThan(600);
    expect(jobAttr(g, 'date-time-at-processing')?.values[0]?.tag).toBe('dateTime');
    expect(jobAttr(g, 'date-time-at-completed')?.values[0]?.tag).toBe('dateTime');
  }, 60_000);

  it("the upstream's printer-state-change-time is moved onto our clock (it changed state before we started)", async () => {
    const { upTime, stateChange } = await printerTimes();
    expect(upTime).toBeLessThan(UPSTREAM_UP_TIME_AT_START);
    expect(stateChange).toBeGreaterThanOrEqual(1);
    expect(stateChange).toBeLessThanOrEqual(upTime!);
  });

  it('a job canceled before it was forwarded has time-at-completed but no time-at-processing', async () => {
    const c = await send(relay.uri, request(0x0005, relay.uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
    expect(c.status, c.statusMessage).toBe(0);
    const x = await send(relay.uri, request(0x0008, relay.uri, [attr.integer('job-id', c.jobId!), attr.name('requesting-user-name', 'alice')]));
    expect(x.status, x.statusMessage).toBe(0);
    await waitFor(async () => integerValue(jobAttr(await jobAttributes(c.jobId!), 'job-state')) === 7, 10_000, 'job canceled');
    const g = await jobAttributes(c.jobId!);
    expect(jobAttr(g, 'time-at-processing')?.values[0]?.tag).toBe('noValue');
    const completed = integerOf(jobAttr(g, 'time-at-completed'), 'time-at-completed');
    expect(completed).toBeGreaterThanOrEqual(integerOf(jobAttr(g, 'time-at-creation'), 'time-at-creation'));
    expect(completed).toBeLessThanOrEqual(integerOf(jobAttr(g, 'job-printer-up-time'), 'job-printer-up-time'));
  });
});
