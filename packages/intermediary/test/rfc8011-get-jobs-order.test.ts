/**
 * Get-Jobs order on the intermediary (RFC 8011 §4.2.6.2, as the printer lists them, D33): jobs
 * still to be forwarded oldest first, ended ones newest to oldest by completion time, not by
 * job-id. Against `tno intermediary` as shipped, in front of an upstream that takes connections
 * and never answers, so no job gets further than the spool and cancels end them there.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { attr, integerValue } from '../src/attrs.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { envelopeShaped, request, sealedPrintJob, send, type Answer } from './fixtures/client.js';

let hung: Server;
const sockets = new Set<Socket>();
let relay: TnoIntermediary;

beforeAll(async () => {
  hung = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  relay = await startTnoIntermediary(`ipp://127.0.0.1:${(hung.address() as { port: number }).port}/ipp/print`);
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((r) => hung.close(r));
});

const alice = attr.name('requesting-user-name', 'alice');
const ids = (a: Answer): number[] => a.message.groups.filter((g) => g.tag === GroupTag.job).map((g) => integerValue(g.attributes.find((x) => x.name === 'job-id'))!);

async function submit(): Promise<number> {
  const a = await send(relay.uri, sealedPrintJob(relay.uri), envelopeShaped('held by a hung upstream'));
  expect(a.status).toBe(0);
  return a.jobId!;
}

describe('Get-Jobs order on the intermediary (RFC 8011 §4.2.6.2)', () => {
  it('completed: most recently ended first; not-completed: oldest first', async () => {
    const first = await submit();
    const second = await submit();
    const third = await submit();
    const fourth = await submit();
    expect((await send(relay.uri, request(0x0008, relay.uri, [attr.integer('job-id', second), alice]))).status).toBe(0);
    await sleep(20);
    expect((await send(relay.uri, request(0x0008, relay.uri, [attr.integer('job-id', first), alice]))).status).toBe(0);
    const completed = await send(relay.uri, request(0x000a, relay.uri, [attr.keyword('which-jobs', 'completed'), alice]));
    expect(ids(completed)).toEqual([first, second]);
    const open = await send(relay.uri, request(0x000a, relay.uri, [alice]));
    expect(ids(open)).toEqual([third, fourth]);
    const all = await send(relay.uri, request(0x000a, relay.uri, [attr.keyword('which-jobs', 'all'), alice]));
    expect(ids(all)).toEqual([third, fourth, first, second]);
  }, 60_000);
});
