/**
 * A printer as `tno printer` starts it, in a child process (from the TypeScript sources), for
 * tests that kill it: SIGKILL leaves exactly what a power cut would, SIGTERM runs its shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { encodeMessage, type IppMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { buildInnerRequest, buildOuterRequest, newJobNonce } from '@trustnoone/profile';
import { joinPemLines, parseCertificate, sealToBytes } from '@trustnoone/smime';
import { a, Op, request } from './ipp.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./tno-source.mts', import.meta.url));

/** A `tno` server in a child process: the URI it printed first, and ways to stop it. */
export interface ChildServer {
  readonly uri: string;
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface ChildPrinter extends ChildServer {
  /** printer-uuid (urn:uuid:...) and the TRUSTNOONE certificate, for sealing. */
  readonly uuid: string;
  readonly certificatePem: string;
}

/** Runs `tno ARGS` and resolves once it printed the URI it serves. */
export async function spawnTno(args: readonly string[], env: Record<string, string> = {}): Promise<ChildServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, ...args], {
    cwd: root,
    env: { ...process.env, TNO_INTERMEDIARY_FAULT: '', TNO_PRINTER_FAULT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (c: Buffer) => {
    out = (out + c.toString()).slice(-50_000);
    if (process.env.TNO_DEBUG) process.stderr.write(c);
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const uri = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code, sig) => reject(new Error(`tno ${args[0]} exited ${code ?? sig} before serving:\n${out}`)));
  });
  proc.stdout!.on('data', (c: Buffer) => {
    out = (out + c.toString()).slice(-50_000);
    if (process.env.TNO_DEBUG) process.stderr.write(c);
  });
  return {
    uri,
    proc,
    exited,
    output: () => out,
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

export async function spawnPrinter(stateDir: string, env: Record<string, string> = {}, port = 0): Promise<ChildPrinter> {
  const server = await spawnTno(['printer', '--port', String(port), '--state', stateDir], env);
  const uri = server.uri;
  const gpa = await ippRequest(uri, withUri(request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'printer-uuid', 'printer-pkcs7-public-key')]), uri));
  const attrs = gpa.message.groups.find((g) => g.tag === 0x04)!.attributes;
  const uuid = String((attrs.find((x) => x.name === 'printer-uuid')!.values[0] as { value: string }).value);
  const lines = attrs.find((x) => x.name === 'printer-pkcs7-public-key')!.values.map((v) => (v as { value: string }).value);
  return { ...server, uuid, certificatePem: joinPemLines(lines) };
}

/** A request message aimed at `uri` (the helpers build them for the in-process URI). */
export function withUri(m: IppMessage, uri: string): IppMessage {
  const ops = m.groups[0]!.attributes.map((x) => (x.name === 'printer-uri' ? a.uri('printer-uri', uri) : x));
  return { ...m, groups: [{ ...m.groups[0]!, attributes: ops }, ...m.groups.slice(1)] };
}

/** A sealed Print-Job for `p` (owner alice): the outer request and the envelope. */
export async function sealedPrintJob(p: ChildPrinter, document: Uint8Array, format = 'image/pwg-raster'): Promise<{ outer: IppMessage; envelope: Uint8Array }> {
  const inner = buildInnerRequest({ operation: 'Print-Job', printerUri: p.uri, requestingUserName: 'alice', printerUuid: p.uuid, jobUuid: newJobNonce(), documentFormat: format });
  const envelope = await sealToBytes(Buffer.concat([encodeMessage(inner), document]), { recipients: [parseCertificate(p.certificatePem)] });
  return { outer: buildOuterRequest({ operation: 'Print-Job', printerUri: p.uri, requestId: 3, requestingUserName: 'alice' }), envelope };
}

export function outerSend(p: ChildPrinter, jobId: number, last = true): IppMessage {
  return buildOuterRequest({ operation: 'Send-Document', printerUri: p.uri, requestId: 4, requestingUserName: 'alice', jobId, lastDocument: last });
}

/** First value of a job attribute, by Get-Job-Attributes as alice. */
export async function jobValue(p: { uri: string }, id: number, name: string): Promise<unknown> {
  const g = await ippRequest(p.uri, withUri(request(Op.GetJobAttributes, [a.int('job-id', id), a.kw('requested-attributes', name)]), p.uri));
  if (g.message.code !== 0) return `status 0x${g.message.code.toString(16)}`;
  return (g.message.groups.find((x) => x.tag === 0x02)?.attributes.find((x) => x.name === name)?.values[0] as { value?: unknown } | undefined)?.value;
}

export async function waitUntil(what: string, f: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
