import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  findAttribute,
  findMember,
  getInteger,
  getStrings,
  integerOf,
  readIppMessage,
  request,
  validateRequest,
  name,
  statusName,
  text,
} from '@trustnoone/ipp';
import { firstDifference } from './helpers.js';
import { startIppEvePrinter, type IppEvePrinter } from '../../../testing/ippeveprinter.js';
import { post } from './ipp-post.js';

/**
 * Our encoder against libcups' decoder and our decoder against libcups' encoder, live: requests
 * built here are sent to CUPS ippeveprinter on 127.0.0.1 and its answers are read with
 * readIppMessage from the HTTP response stream.
 */
describe('interop with CUPS ippeveprinter (libcups 2.4)', () => {
  let printer: IppEvePrinter;
  let nextId = 1;
  beforeAll(async () => {
    printer = await startIppEvePrinter({ name: 'tno codec interop', formats: ['application/pdf', 'text/plain'] });
  }, 30_000);
  afterAll(async () => {
    await printer?.stop();
  });

  async function exchange(bytes: Uint8Array) {
    const res = await post(printer.port, bytes);
    expect(res.statusCode).toBe(200);
    const { message, data } = await readIppMessage(res);
    data.resume();
    return message;
  }

  it('Get-Printer-Attributes: the response decodes, collections included, and re-encodes byte-identically', async () => {
    const req = request('Get-Printer-Attributes', { requestId: nextId++ })
      .operation({ 'printer-uri': printer.uri, 'requesting-user-name': 'anchor', 'requested-attributes': ['all', 'media-col-database'] })
      .encode();
    const res = await post(printer.port, req);
    const parts: Buffer[] = [];
    for await (const chunk of res) parts.push(chunk as Buffer);
    const body = Buffer.concat(parts);
    const message = decodeMessage(body);
    expect(statusName(message.code)).toBe('successful-ok');
    expect(firstDifference(encodeMessage(message), body)).toBe(-1);
    expect(getInteger(message, 'printer', 'printer-state')).toBeGreaterThanOrEqual(3);
    const database = findAttribute(message, 'printer', 'media-col-database')!;
    expect(database.values.length).toBeGreaterThan(0);
    const size = findMember(database.values[0], 'media-size')!;
    expect(integerOf(findMember(size.values[0], 'x-dimension')?.values[0])).toBeGreaterThan(0);
  });

  it('Print-Job with a nested media-col, then Get-Job-Attributes: libcups read every value as we wrote it', async () => {
    const document = Buffer.from('Hello from the trustnoone IPP codec\n');
    const printed = await exchange(
      request('Print-Job', { requestId: nextId++ })
        .operation({ 'printer-uri': printer.uri, 'requesting-user-name': 'anchor', 'job-name': 'codec interop', 'document-format': 'text/plain' })
        .job({
          copies: 2,
          sides: 'one-sided',
          'job-priority': 60,
          'media-col': { 'media-size': { 'x-dimension': 21000, 'y-dimension': 29700 }, 'media-source': 'main' },
        })
        .data(document)
        .encode(),
    );
    expect(statusName(printed.code)).toMatch(/^successful-ok/);
    const jobId = getInteger(printed, 'job', 'job-id')!;
    expect(jobId).toBeGreaterThan(0);

    const job = await exchange(
      request('Get-Job-Attributes', { requestId: nextId++ })
        .operation({ 'printer-uri': printer.uri, 'job-id': jobId, 'requesting-user-name': 'anchor', 'requested-attributes': ['all'] })
        .encode(),
    );
    expect(statusName(job.code)).toBe('successful-ok');
    expect(getStrings(job, 'job', 'job-name')).toEqual(['codec interop']);
    expect(getInteger(job, 'job', 'copies')).toBe(2);
    expect(getInteger(job, 'job', 'job-priority')).toBe(60);
    const mediaCol = findAttribute(job, 'job', 'media-col')!.values[0]!;
    const size = findMember(mediaCol, 'media-size')!.values[0]!;
    expect(integerOf(findMember(size, 'x-dimension')!.values[0])).toBe(21000);
    expect(integerOf(findMember(size, 'y-dimension')!.values[0])).toBe(29700);
  });

  it('a nameWithLanguage (non-ASCII) and a request-id of 2^31-1 are accepted', async () => {
    const message = await exchange(
      request('Validate-Job', { requestId: 0x7fffffff })
        .operation({ 'printer-uri': printer.uri, 'requesting-user-name': 'anchor', 'job-name': name('Bericht für Müller', 'de') })
        .encode(),
    );
    expect(message.requestId).toBe(0x7fffffff);
    expect(statusName(message.code)).toMatch(/^successful-ok/);
  });

  it('a text where libcups wants a name is refused, and libcups says which attribute (our validator agrees)', async () => {
    const built = request('Validate-Job', { requestId: nextId++ })
      .operation({ 'printer-uri': printer.uri, 'requesting-user-name': 'anchor', 'job-name': text('Bericht', 'de') })
      .build();
    const message = await exchange(encodeMessage(built));
    expect(statusName(message.code)).toBe('client-error-attributes-or-values-not-supported');
    expect(findAttribute(message, 'unsupported', 'job-name')).toBeDefined();
    expect(validateRequest(built).map((v) => [v.code, v.attribute])).toEqual([['wrong-syntax', 'job-name']]);
  });

  it('a malformed request (no charset first) is refused by libcups with bad-request, as our validator says', async () => {
    const good = request('Get-Printer-Attributes', { requestId: nextId++ }).operation({ 'printer-uri': printer.uri }).build();
    const bad = { ...good, groups: [{ tag: 1, attributes: good.groups[0]!.attributes.slice(1) }] };
    const message = await exchange(encodeMessage(bad));
    expect(statusName(message.code)).toBe('client-error-bad-request');
    expect(validateRequest(bad).map((v) => v.code)).toEqual(['charset-not-first', 'language-not-second']);
  });
});
