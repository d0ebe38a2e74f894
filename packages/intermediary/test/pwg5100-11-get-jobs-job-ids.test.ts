/**
 * Relay fix 3: Get-Jobs job-ids (PWG 5100.11) on the intermediary, as the printer answers it
 * (docs/decisions.md D33): the named jobs only, whatever their state when which-jobs is not given,
 * both filters when it is; a malformed list is client-error-bad-request. The intermediary answers
 * Get-Jobs about its own jobs, so it says job-ids-supported itself, even in front of a printer
 * that does not (the fake printer here advertises no job-ids-supported). `tno intermediary` as shipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { attr, booleanValue, findAttribute, integerValue } from '../src/attrs.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { envelopeShaped, request, sealedPrintJob, send, type Answer } from './fixtures/client.js';

let printer: FakePrinter;
let relay: TnoIntermediary;

beforeAll(async () => {
  printer = await startFakePrinter();
  relay = await startTnoIntermediary(printer.uri);
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  await printer?.close();
});

const alice = attr.name('requesting-user-name', 'alice');
const ids = (a: Answer): number[] => a.message.groups.filter((g) => g.tag === GroupTag.job).map((g) => integerValue(g.attributes.find((x) => x.name === 'job-id'))!);
const getJobs = (...extra: ReturnType<typeof attr.integer>[]) => send(relay.uri, request(0x000a, relay.uri, [alice, ...extra]));

async function submit(): Promise<number> {
  const a = await send(relay.uri, sealedPrintJob(relay.uri), envelopeShaped('job-ids'));
  expect(a.status).toBe(0);
  return a.jobId!;
}

describe('relay fix 3: Get-Jobs job-ids on the intermediary (PWG 5100.11)', () => {
  it('returns exactly the named jobs, ended ones included without which-jobs; both filters with it', async () => {
    const ended = await submit();
    expect((await send(relay.uri, request(0x0008, relay.uri, [attr.integer('job-id', ended), alice]))).status).toBe(0);
    const wanted = await submit();
    const other = await submit();
    const named = await getJobs(attr.integer('job-ids', ended, wanted));
    expect(named.status).toBe(0);
    expect(ids(named).sort((x, y) => x - y)).toEqual([ended, wanted]);
    expect(ids(named)).not.toContain(other);
    const both = await getJobs(attr.integer('job-ids', ended, wanted), attr.keyword('which-jobs', 'completed'));
    expect(ids(both)).toContain(ended);
    expect(ids(both)).not.toContain(other);
    // Unknown ids are left out, not refused (as a job gone from the history).
    expect(ids(await getJobs(attr.integer('job-ids', 999_999)))).toEqual([]);
  }, 60_000);

  it('refuses a malformed job-ids with client-error-bad-request', async () => {
    expect((await getJobs(attr.integer('job-ids', 0))).status).toBe(0x0400);
    expect((await getJobs(attr.integer('job-ids', ...Array.from({ length: 1001 }, (_, i) => i + 1)))).status).toBe(0x0400);
  }, 30_000);

  it('advertises job-ids-supported in Get-Printer-Attributes', async () => {
    const all = await send(relay.uri, request(0x000b, relay.uri, []));
    expect(all.status).toBe(0);
    expect(booleanValue(findAttribute(all.message, GroupTag.printer, 'job-ids-supported'))).toBe(true);
    const asked = await send(relay.uri, request(0x000b, relay.uri, [attr.keyword('requested-attributes', 'job-ids-supported')]));
    expect(booleanValue(findAttribute(asked.message, GroupTag.printer, 'job-ids-supported'))).toBe(true);
    // Not pushed on a client that asked for something else (RFC 8011 §4.2.5.1 requested-attributes).
    const other = await send(relay.uri, request(0x000b, relay.uri, [attr.keyword('requested-attributes', 'printer-name')]));
    expect(findAttribute(other.message, GroupTag.printer, 'job-ids-supported')).toBeUndefined();
  }, 30_000);
});
