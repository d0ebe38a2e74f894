/** Test helpers: build IPP requests, send them with fastify inject, read the answers. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, type IppAttribute, type IppMessage, type IppValue } from '@trustnoone/ipp';
import type { FastifyInstance } from 'fastify';
import { buildApp, type PrinterHandle, type PrinterOptions } from '@trustnoone/printer';

export const URI = 'ipp://127.0.0.1:8631/ipp/print';

export const Op = {
  PrintJob: 0x0002,
  ValidateJob: 0x0004,
  CreateJob: 0x0005,
  SendDocument: 0x0006,
  CancelJob: 0x0008,
  GetJobAttributes: 0x0009,
  GetJobs: 0x000a,
  GetPrinterAttributes: 0x000b,
  CancelMyJobs: 0x0039,
  CloseJob: 0x003b,
  IdentifyPrinter: 0x003c,
  GetEncryptedJobAttributes: 0x006a,
} as const;

export const a = {
  kw: (name: string, ...v: string[]): IppAttribute => ({ name, values: v.map((value): IppValue => ({ tag: 'keyword', value })) }),
  name: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'nameWithoutLanguage', value }] }),
  text: (name: string, ...v: string[]): IppAttribute => ({ name, values: v.map((value): IppValue => ({ tag: 'textWithoutLanguage', value })) }),
  mime: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'mimeMediaType', value }] }),
  uri: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'uri', value }] }),
  int: (name: string, ...v: number[]): IppAttribute => ({ name, values: v.map((value): IppValue => ({ tag: 'integer', value })) }),
  enum: (name: string, value: number): IppAttribute => ({ name, values: [{ tag: 'enum', value }] }),
  bool: (name: string, value: boolean): IppAttribute => ({ name, values: [{ tag: 'boolean', value }] }),
  col: (name: string, members: IppAttribute[]): IppAttribute => ({ name, values: [{ tag: 'collection', value: members }] }),
};

export function request(code: number, ops: IppAttribute[] = [], job: IppAttribute[] = [], user = 'alice'): IppMessage {
  const groups: IppMessage['groups'][number][] = [
    {
      tag: 0x01,
      attributes: [
        { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
        { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
        a.uri('printer-uri', URI),
        a.name('requesting-user-name', user),
        ...ops,
      ],
    },
  ];
  if (job.length > 0) groups.push({ tag: 0x02, attributes: job });
  return { version: { major: 2, minor: 0 }, code, requestId: 42, groups };
}

export interface Answer {
  readonly message: IppMessage;
  readonly status: number;
  /** Attribute lookup in the first group of that tag. */
  attr(group: number, name: string): IppAttribute | undefined;
  value(group: number, name: string): unknown;
  values(group: number, name: string): unknown[];
  groups(tag: number): IppMessage['groups'][number][];
  readonly data: Uint8Array;
}

export function answer(body: Uint8Array): Answer {
  const message = decodeMessage(body);
  const attr = (g: number, n: string) => message.groups.find((x) => x.tag === g)?.attributes.find((x) => x.name === n);
  return {
    message,
    status: message.code,
    attr,
    value: (g, n) => (attr(g, n)?.values[0] as { value?: unknown } | undefined)?.value,
    values: (g, n) => (attr(g, n)?.values ?? []).map((v) => (v as { value?: unknown }).value),
    groups: (t) => message.groups.filter((x) => x.tag === t),
    data: message.data ?? new Uint8Array(0),
  };
}

export async function send(app: FastifyInstance, message: IppMessage, data?: Uint8Array): Promise<Answer> {
  const head = encodeMessage(message);
  const payload = data ? Buffer.concat([head, data]) : Buffer.from(head);
  const res = await app.inject({ method: 'POST', url: '/ipp/print', headers: { 'content-type': 'application/ipp' }, payload });
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
  return answer(res.rawPayload);
}

export async function tempDir(prefix = 'tno-printer-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function printer(stateDir: string, options: Partial<PrinterOptions> = {}): Promise<PrinterHandle> {
  return buildApp({ stateDir, logger: false, ...options });
}

export const JOB = 0x02;
export const OP = 0x01;
export const PRINTER = 0x04;
export const UNSUPPORTED = 0x05;
