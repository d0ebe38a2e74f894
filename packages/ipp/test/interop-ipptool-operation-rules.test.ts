import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, operationName, validateOperation, validateRequest, type IppMessage, type Violation } from '@trustnoone/ipp';
import { startIppEvePrinter, type IppEvePrinter } from '../../../testing/ippeveprinter.js';

/**
 * The per-operation rules against requests we did not write: CUPS ipptool runs its own test files
 * (/usr/share/cups/ipptool) through a small node:http relay in front of CUPS ippeveprinter. The
 * relay decodes each request with our codec, runs the validators, forwards the bytes unchanged and
 * notes the status ippeveprinter answered. A request ippeveprinter accepted is valid by an
 * independent implementation's judgement, so any finding of ours on it is a bug in our table.
 */
interface Seen {
  readonly file: string;
  readonly operation: string;
  readonly findings: readonly Violation[];
  /** Our findings with every check of validateRequest on, envelope and syntaxes included. */
  readonly all: readonly Violation[];
  status?: number;
}

/** ipp-2.2.test includes ipp-2.1, 2.0 and 1.1: RFC 8011 §4.2-4.3 operations, good and bad requests. */
const TESTS = [
  'ipp-2.2.test',
  'print-job.test',
  'print-job-deflate.test',
  'print-job-gzip.test',
  'print-job-hold.test',
  'print-job-media-col.test',
  'validate-job.test',
  'create-job.test',
  'get-jobs.test',
  'get-completed-jobs.test',
  'get-job-attributes.test',
  'set-attrs-hold.test',
  'identify-printer.test',
  'create-printer-subscription.test',
  'get-subscriptions.test',
  'get-notifications.test',
  'print-uri.test',
];

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', reject);
  });
}

/** Runs ipptool, killed after 60 s so a printer that never answers cannot hang the suite. */
function ipptool(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ipptool', args, { stdio: ['ignore', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

describe('CUPS ipptool requests pass the per-operation rules', () => {
  let printer: IppEvePrinter | undefined;
  let relay: Server;
  let relayPort = 0;
  let dir = '';
  let current = '';
  const seen: Seen[] = [];
  const seconds: Record<string, number> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tno-ipptool-'));
    await writeFile(join(dir, 'page.txt'), 'trustnoone operation rules\n');
    relay = createServer(async (req, res) => {
      const body = await readAll(req);
      let entry: Seen | undefined;
      try {
        const message: IppMessage = decodeMessage(body);
        entry = { file: current, operation: operationName(message.code), findings: validateOperation(message), all: validateRequest(message, { operationRules: true, charsets: ['utf-8', 'us-ascii'] }) };
      } catch {
        entry = { file: current, operation: 'undecodable', findings: [], all: [] };
      }
      seen.push(entry);
      const forward = httpRequest(
        { host: '127.0.0.1', port: printer!.port, path: req.url, method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/ipp', 'content-length': body.length } },
        async (answer) => {
          const reply = await readAll(answer);
          if (reply.length >= 4) entry!.status = reply.readUInt16BE(2);
          res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/ipp', 'content-length': reply.length });
          res.end(reply);
        },
      );
      forward.once('error', () => res.writeHead(502).end());
      forward.end(body);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    relayPort = (relay.address() as { port: number }).port;

    const uri = `ipp://127.0.0.1:${relayPort}/ipp/print`;
    for (const file of TESTS) {
      current = file;
      const start = Date.now();
      // A fresh printer per file: jobs a file leaves held or processing would make the next
      // file's jobs server-error-busy. -I goes on after a failed test, so every request is sent.
      printer = await startIppEvePrinter({ name: 'tno operation rules', formats: ['text/plain', 'application/pdf', 'image/jpeg'] });
      await ipptool(['-I', '-T', '10', '-q', '-f', join(dir, 'page.txt'), '-d', `document-uri=http://127.0.0.1:${relayPort}/page.txt`, uri, `/usr/share/cups/ipptool/${file}`]);
      seconds[file] = (Date.now() - start) / 1000;
      await printer.stop();
      printer = undefined;
    }
  }, 240_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
    await printer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ipptool sent the operations the rules cover', () => {
    const operations = new Set(seen.map((s) => s.operation));
    // ippeveprinter 2.4 does not implement Hold-Job, Set-Job-Attributes or Pause-Printer, so the
    // files that use them stop early; these are the operations that reach it.
    for (const op of ['Print-Job', 'Print-URI', 'Validate-Job', 'Create-Job', 'Send-Document', 'Get-Jobs', 'Get-Job-Attributes', 'Get-Printer-Attributes', 'Cancel-Job', 'Release-Job', 'Identify-Printer', 'Get-Notifications']) {
      expect(operations, `ipptool never sent ${op}`).toContain(op);
    }
  });

  it('no finding on any request ippeveprinter accepted', () => {
    const accepted = seen.filter((s) => s.status !== undefined && s.status < 0x0400);
    expect(accepted.length).toBeGreaterThanOrEqual(25);
    const wrong = accepted.filter((s) => s.findings.length > 0 || s.all.length > 0).map((s) => `${s.file} ${s.operation}: ${[...s.findings, ...s.all].map((v) => v.message).join('; ')}`);
    expect(wrong).toEqual([]);
  });

  it('what ippeveprinter refused as a bad request, we refuse too', () => {
    const refused = seen.filter((s) => s.status === 0x0400);
    const missed = refused.filter((s) => s.all.length === 0).map((s) => `${s.file} ${s.operation}`);
    expect(missed).toEqual([]);
  });

  it('summary (for the report)', () => {
    const byStatus = new Map<string, number>();
    for (const s of seen) byStatus.set(`0x${(s.status ?? 0).toString(16).padStart(4, '0')}`, (byStatus.get(`0x${(s.status ?? 0).toString(16).padStart(4, '0')}`) ?? 0) + 1);
    const flagged = seen.filter((s) => s.findings.length > 0).map((s) => `${s.file} ${s.operation} -> 0x${(s.status ?? 0).toString(16)}: ${s.findings.map((v) => v.code + (v.attribute ? ` ${v.attribute}` : '')).join(', ')}`);
    console.log(`ipptool requests: ${seen.length}; ippeveprinter statuses: ${JSON.stringify(Object.fromEntries(byStatus))}; operations: ${[...new Set(seen.map((s) => s.operation))].join(', ')}`);
    console.log(`seconds per file: ${JSON.stringify(seconds)}`);
    console.log(`requests with per-operation findings:\n${flagged.join('\n')}`);
    expect(seen.length).toBeGreaterThan(0);
  });
});
