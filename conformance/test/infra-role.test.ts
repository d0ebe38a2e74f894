/**
 * The infrastructure role (trustnoone-infra) against our intermediary in pull mode, with a device
 * account: every REQUIRED test passes. Against a deliberately broken Infrastructure Printer (our
 * intermediary behind a small HTTP relay that alters one byte of what passes) the test that
 * guards that byte fails: a Fetch-Document answer with one ciphertext byte changed, and a
 * Get-Printer-Attributes answer with the reported key altered (a substituted key), and a job
 * handed to a second output device, Get-Notifications without events. Configured to admit
 * anonymous output devices, it fails the authentication test.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag, decodeMessage, encodeMessage, request } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '@trustnoone/intermediary';
import { runConformance, type Report } from '@trustnoone/conformance';

const DEVICE = { user: 'conformance-device', password: 'device-pw-for-tests' };
const users = new Map<string, UserEntry>();
const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];

async function infraPrinter(lax = false): Promise<RunningIntermediary> {
  const dir = await mkdtemp(join(tmpdir(), 'tno-conformance-infra-'));
  dirs.push(dir);
  const s = await startIntermediary({
    stateDir: dir,
    upstreams: [],
    // lax: anyone may act as an output device (a demo setting; here the broken target).
    infra: { deviceUsers: [DEVICE.user], maxNotifyWaitMs: 5000, ...(lax ? { allowAnonymousDevices: true } : {}) },
    users,
    ...(lax ? { allowAnonymous: true } : {}),
    // Cleartext on loopback (never set by tno): several tests put an altering relay between the
    // suite and this target, which must read and rewrite the bytes (TLS would end at the relay);
    // the INFRA suite over ipps is pg-store-cluster-conformance and tno-conformance-command.
    allowLoopbackCleartextAuth: true,
    port: 0,
    logger: false,
    announce: () => {},
    handleSignals: false,
  });
  closers.push(() => s.close());
  return s;
}

/**
 * An HTTP relay on 127.0.0.1 in front of `port` that hands each IPP response of operation `op` to
 * `alter`, and every request to `alterRequest` (whole bodies are buffered: the suite's exchanges
 * are small).
 */
async function alteringRelay(port: number, op: number, alter: (body: Buffer) => Buffer, alterRequest: (code: number, body: Buffer) => Buffer = (_c, b) => b): Promise<number> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = Buffer.concat(chunks);
      const code = received.length >= 4 ? received.readUInt16BE(2) : -1;
      const body = alterRequest(code, received);
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (ur) => {
        const out: Buffer[] = [];
        ur.on('data', (c: Buffer) => out.push(c));
        ur.on('end', () => {
          const answer = code === op ? alter(Buffer.concat(out)) : Buffer.concat(out);
          const h = { ...ur.headers, 'content-length': String(answer.length) };
          delete h['transfer-encoding'];
          res.writeHead(ur.statusCode ?? 502, h);
          res.end(answer);
        });
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

const run = (target: string): Promise<Report> => runConformance({ target, role: 'infrastructure', auth: DEVICE });
const requiredFailures = (r: Report) => r.results.filter((x) => x.level === 'REQUIRED' && x.outcome === 'failed').map((x) => x.id);
const outcome = (r: Report, id: string) => r.results.find((x) => x.id === id)?.outcome;

beforeAll(async () => {
  // Cheap scrypt parameters: every device request authenticates.
  users.set(DEVICE.user, { name: DEVICE.user, role: 'user', hash: await hashPassword(DEVICE.password, { N: 1024, r: 8, p: 1 }) });
});

afterAll(async () => {
  for (const c of closers.reverse()) await c();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('trustnoone-infra against our intermediary in pull mode', () => {
  let inter: RunningIntermediary;
  let report: Report;
  beforeAll(async () => {
    inter = await infraPrinter();
    report = await run(inter.uri);
  }, 120_000);

  it('passes every REQUIRED test (and the RECOMMENDED encrypted-attributes pull path)', () => {
    expect(report.results.filter((r) => r.outcome === 'failed').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    expect(report.results.filter((r) => r.outcome === 'skipped').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    expect(report.results.map((r) => r.suite)).toEqual(report.results.map(() => 'trustnoone-infra'));
    expect(report.results.length).toBe(18);
    // issue 21.4: the rest of a pulled job's life (PWG 5100.18-2025 §5.1, §5.5, §5.7–5.9).
    for (const id of ['trustnoone-infra.multi-document-pull', 'trustnoone-infra.update-document-status', 'trustnoone-infra.cancel-reaches-device']) expect(outcome(report, id), id).toBe('passed');
    expect(outcome(report, 'trustnoone-infra.encrypted-job-attributes-pull')).toBe('passed');
    expect(report.results.find((r) => r.id === 'trustnoone-infra.device-must-authenticate')?.notes.join()).toMatch(/HTTP 401/);
  });

  it('leaves no job unfinished and no device registered: a second run on the same queue passes too', async () => {
    const open = await ippRequest(
      inter.uri,
      request(0x000a, { requestId: 1 }).operation([
        { name: 'printer-uri', values: [{ tag: 'uri', value: inter.uri }] },
        { name: 'requesting-user-name', values: [{ tag: 'nameWithoutLanguage', value: DEVICE.user }] },
        { name: 'which-jobs', values: [{ tag: 'keyword', value: 'not-completed' }] },
      ]).build(),
      { auth: DEVICE },
    );
    open.data.resume();
    expect(open.message.code).toBe(0);
    expect(open.message.groups.filter((g) => g.tag === GroupTag.job)).toEqual([]);
    // The queue's identity is its first registered device's: had the first run's device stayed,
    // this run's reported key would not be the one clients see.
    const again = await run(inter.uri);
    expect(requiredFailures(again)).toEqual([]);
  }, 120_000);
});

describe('trustnoone-infra discriminates', () => {
  it('one ciphertext byte altered in Fetch-Document fails the byte-for-byte fetches (single and multi-document), and only those', async () => {
    const inter = await infraPrinter();
    const port = await alteringRelay(inter.port, 0x0042, (body) => {
      const out = Buffer.from(body);
      if (out.length > 200) out[out.length - 1]! ^= 0x01; // the envelope's last byte (inside the GCM tag)
      return out;
    });
    const report = await run(`ipp://127.0.0.1:${port}/ipp/print`);
    // update-document-status needs the multi-document pull, so it is skipped, not failed.
    expect(requiredFailures(report)).toEqual(['trustnoone-infra.fetch-document-byte-for-byte', 'trustnoone-infra.multi-document-pull']);
    expect(report.results.find((r) => r.id === 'trustnoone-infra.fetch-document-byte-for-byte')?.reason).toMatch(/not the submitted envelope/);
  }, 120_000);

  it('a job handed to a second device (its job operations answered as if it were the first) fails second-device-refused, and only that', async () => {
    const inter = await infraPrinter();
    let first: string | undefined;
    const port = await alteringRelay(inter.port, -1, (body) => body, (code, body) => {
      const at = body.indexOf('output-device-uuid');
      if (at < 0) return body;
      const len = body.readUInt16BE(at + 18);
      const value = body.toString('latin1', at + 20, at + 20 + len);
      if (code === 0x005f && first === undefined) first = value;
      // Fetch-Job, Acknowledge-Job, Fetch-Document from any other device act as the first device.
      if (first !== undefined && value !== first && len === first.length && [0x0041, 0x0042, 0x0043].includes(code)) body.write(first, at + 20, 'latin1');
      return body;
    });
    const report = await run(`ipp://127.0.0.1:${port}/ipp/print`);
    expect(requiredFailures(report)).toEqual(['trustnoone-infra.second-device-refused']);
  }, 120_000);

  it('an Infrastructure Printer that lets anyone act as an output device fails device-must-authenticate', async () => {
    const report = await run((await infraPrinter(true)).uri);
    expect(requiredFailures(report)).toEqual(['trustnoone-infra.device-must-authenticate']);
  }, 120_000);

  it('Get-Notifications answers stripped of their events fail job-fetchable-event and cancel-reaches-device (the encrypted-attributes path falls back to printer-state-reasons)', async () => {
    const inter = await infraPrinter();
    const port = await alteringRelay(inter.port, 0x001c, (body) => {
      const m = decodeMessage(body);
      return Buffer.from(encodeMessage({ ...m, groups: m.groups.filter((g) => g.tag !== GroupTag.eventNotification) }));
    });
    const report = await run(`ipp://127.0.0.1:${port}/ipp/print`);
    expect(report.results.filter((r) => r.outcome === 'failed').map((r) => r.id)).toEqual(['trustnoone-infra.job-fetchable-event', 'trustnoone-infra.cancel-reaches-device']);
    expect(report.results.find((r) => r.id === 'trustnoone-infra.cancel-reaches-device')?.reason).toMatch(/no job-state-changed event/);
    expect(report.results.find((r) => r.id === 'trustnoone-infra.encrypted-job-attributes-pull')?.notes.join()).toMatch(/printer-state-reasons/);
  }, 120_000);

  it('a substituted key in Get-Printer-Attributes fails reported-key-relayed', async () => {
    const inter = await infraPrinter();
    const port = await alteringRelay(inter.port, 0x000b, (body) => {
      const out = Buffer.from(body);
      const at = out.indexOf('MII'); // the base64 of a DER certificate starts so
      if (at >= 0) out[at + 3] = out[at + 3] === 0x41 ? 0x42 : 0x41;
      return out;
    });
    const report = await run(`ipp://127.0.0.1:${port}/ipp/print`);
    expect(outcome(report, 'trustnoone-infra.reported-key-relayed')).toBe('failed');
    expect(report.results.find((r) => r.id === 'trustnoone-infra.reported-key-relayed')?.reason).toMatch(/substituted key/);
  }, 120_000);
});
