/**
 * Interop with an independent IPP implementation (CUPS ipptool) playing the output device: it
 * registers with our System object, reports attributes, subscribes with ippget, lists fetchable
 * jobs, fetches and acknowledges a sealed job and its document, and reports it completed — with
 * CUPS encoding every request and checking every answer (test files in fixtures/ipptool/).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { sealedPrintJob, send, envelopeShaped } from './fixtures/client.js';

const here = dirname(fileURLToPath(import.meta.url));
let inter: RunningIntermediary;

function ipptool(uri: string, file: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ipptool', ['-tv', '-T', '20', uri, join(here, 'fixtures', 'ipptool', file)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.on('close', (status) => resolve({ status, out }));
  });
}

beforeAll(async () => {
  inter = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-infra-ipptool-')),
    upstreams: [],
    infra: { allowAnonymousDevices: true },
    port: 0,
    announce: () => {},
    handleSignals: false,
  });
});
afterAll(async () => {
  await inter?.close();
});

describe('ipptool as the output device (PWG 5100.18 / 5100.22 / RFC 3995)', () => {
  it('registers, subscribes, fetches and completes a sealed job', async () => {
    const env = { TNO_DEVICE: `urn:uuid:${randomUUID()}`, TNO_PRINTER_UUID: `urn:uuid:${randomUUID()}` };
    const reg = await ipptool(inter.uri.replace('/ipp/print', '/ipp/system'), 'infra-register.test', env);
    expect(reg.status, reg.out).toBe(0);
    const job = await send(inter.uri, sealedPrintJob(inter.uri, 'alice'), envelopeShaped(4096));
    expect(job.status, job.statusMessage).toBe(0);
    const run = await ipptool(inter.uri, 'infra-proxy.test', { ...env, TNO_JOB: String(job.jobId) });
    expect(run.status, run.out).toBe(0);
    expect(run.out).toMatch(/Fetch-Document\s+\[PASS\]/);
    expect(run.out.match(/\[PASS\]/g)).toHaveLength(10);
  }, 60_000);
});
