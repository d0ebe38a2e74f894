/**
 * Print-Job-only upstreams (no Create-Job): delivery is at-least-once (docs/decisions.md D6). Killed
 * after the upstream took the job but before we recorded it (fault point forward.sent), the restart
 * sends it again and logs the likely earlier delivery by its upstream job-id. A printer that refuses
 * the replay (as a TRUSTNOONE printer does, 0x041A) keeps it to one delivery, and the intermediary
 * then follows the earlier upstream job instead of failing ours.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { attr, integerValue } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request, sealedPrintJob, send, waitFor, envelopeShaped } from './fixtures/client.js';
import { spawnIntermediary } from './fixtures/child.js';

let printer: FakePrinter;
beforeAll(async () => {
  printer = await startFakePrinter();
  printer.noCreateJob = true;
});
afterAll(async () => {
  await printer?.close();
});

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Kills the intermediary at forward.sent (upstream accepted, not recorded), restarts it, waits for the job to end. */
async function crashAfterUpstreamAccepted(doc: Uint8Array): Promise<{ output: string; states: number[] }> {
  const state = mkdtempSync(join(tmpdir(), 'tno-printjob-crash-'));
  const first = await spawnIntermediary(state, printer.uri, { TNO_INTERMEDIARY_FAULT: 'forward.sent@1' });
  expect((await send(first.uri, sealedPrintJob(first.uri), doc)).status).toBe(0);
  await Promise.race([first.exited, new Promise((r) => setTimeout(r, 5000))]);
  const died = first.proc.signalCode !== null || first.proc.exitCode !== null;
  if (!died) first.proc.kill('SIGKILL');
  await first.exited;
  expect(died, `fault point never reached:\n${first.output()}`).toBe(true);
  expect(printer.deliveries.filter((d) => d.sha256 === sha(doc))).toHaveLength(1);

  const second = await spawnIntermediary(state, printer.uri);
  try {
    await waitFor(async () => {
      const list = await send(second.uri, request(0x000a, second.uri, [attr.name('requesting-user-name', 'alice'), attr.keyword('which-jobs', 'not-completed')]));
      return list.message.groups.filter((g) => g.tag === GroupTag.job).length === 0;
    }, 15_000, 'the job ended');
    const all = await send(second.uri, request(0x000a, second.uri, [attr.name('requesting-user-name', 'alice'), attr.keyword('which-jobs', 'all'), attr.keyword('requested-attributes', 'job-state')]));
    const states = all.message.groups.filter((g) => g.tag === GroupTag.job).map((g) => integerValue(g.attributes.find((a) => a.name === 'job-state'))!);
    return { output: second.output(), states };
  } finally {
    second.proc.kill('SIGTERM');
    await second.exited;
  }
}

describe('SIGKILL after an upstream Print-Job was accepted but not recorded', () => {
  it('is sent again (at-least-once) and the possible duplicate is logged with its upstream job-id', async () => {
    printer.refuseReplaysWith = undefined;
    const doc = envelopeShaped(30_000);
    const firstDelivery = printer.deliveries.length;
    const { output, states } = await crashAfterUpstreamAccepted(doc);
    const mine = printer.deliveries.slice(firstDelivery).filter((d) => d.sha256 === sha(doc));
    expect(mine).toHaveLength(2);
    expect(states).toEqual([9]);
    const line = output.split('\n').find((l) => l.includes('possible duplicate'));
    expect(line, output).toBeDefined();
    expect(JSON.parse(line!).possibleDuplicateOf).toEqual([mine[0]!.jobId]);
  });

  it('a printer that refuses the replay keeps it to one delivery, and the job follows the earlier one', async () => {
    printer.refuseReplaysWith = 0x041a;
    const doc = envelopeShaped(30_000);
    const firstDelivery = printer.deliveries.length;
    const { output, states } = await crashAfterUpstreamAccepted(doc);
    expect(printer.deliveries.slice(firstDelivery).filter((d) => d.sha256 === sha(doc))).toHaveLength(1);
    expect(states, output).toEqual([9]);
    expect(output).toContain('its earlier delivery stands');
  });
});
