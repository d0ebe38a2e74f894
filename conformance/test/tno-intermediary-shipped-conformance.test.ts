/**
 * Issue 13 (done means): `tno conformance URL --role intermediary` passes on the intermediary
 * started exactly as `tno intermediary --upstream URL` starts it — the command's own defaults
 * (end-to-end policy and envelope check on), a child process, in front of our printer. The
 * in-process suite (trustnoone-intermediary-conformance.test.ts) adds --printer-direct checks; this
 * one guards what a user runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@trustnoone/cli';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import type { Report } from '@trustnoone/conformance';
import { startTnoIntermediary, type TnoIntermediary } from '../../testing/tno-intermediary.js';

let dir: string;
let printer: RunningPrinter;
let relay: TnoIntermediary;
let code: number;
let err = '';
let report: Report;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-shipped-conformance-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  relay = await startTnoIntermediary(printer.uri);
  // RFC 8011 §5.4.29 printer-up-time is integer(1:MAX): let the first second pass.
  await new Promise((r) => setTimeout(r, 1100));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  code = await main(['conformance', relay.uri, '--role', 'intermediary', '--json'], { stdout, stderr, stdin: new PassThrough(), cwd: dir, env: {} });
  report = JSON.parse(out) as Report;
}, 240_000);

afterAll(async () => {
  await relay?.stop();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tno conformance --role intermediary on `tno intermediary` as shipped', () => {
  it('exits 0: no REQUIRED test fails', () => {
    const failed = report.results.filter((r) => r.level === 'REQUIRED' && r.outcome === 'failed').map((r) => `${r.id}: ${r.reason}`);
    expect(failed).toEqual([]);
    expect([code, err]).toEqual([0, '']);
  });

  it('issue 13.7: the damaged contentType and the 24-flip sweep pass through the envelope check', () => {
    const outcome = (id: string) => report.results.find((r) => r.id === id)?.outcome;
    expect(outcome('trustnoone-printer.tampered-content-type')).toBe('passed');
    expect(outcome('trustnoone-printer.tampered-sweep')).toBe('passed');
    expect(report.capabilities).toContain('requires-encryption');
  });

  it('fails no RECOMMENDED test either', () => {
    expect(report.results.filter((r) => r.outcome === 'failed').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  });
});
