import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeMessage, IppError, readIppMessage } from '@trustnoone/ipp';
import { readVector, requestWith, field, int32 } from './helpers.js';

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Splits bytes into chunks of the given size, as a network would. */
function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

describe('readIppMessage: attribute section from a stream, document handed on as a stream', () => {
  const request = requestWith(field(0x21, 'copies', int32(2)), field(0x44, 'sides', 'two-sided-long-edge'));
  const documentBytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i & 0xff));

  for (const size of [1, 2, 7, 64, 100_000]) {
    it(`decodes the same message and passes the document intact with ${size}-byte chunks`, async () => {
      const { message, data } = await readIppMessage(chunked(Buffer.concat([request, documentBytes]), size));
      expect(message).toEqual(decodeMessage(request));
      expect((await collect(data)).equals(documentBytes)).toBe(true);
    });
  }

  it('works for a response capture with no document', async () => {
    const bytes = readVector('gpa-all-mcd.resp.bin');
    const { message, data } = await readIppMessage(chunked(bytes, 1000));
    expect(message).toEqual(decodeMessage(bytes));
    expect(await collect(data)).toHaveLength(0);
  });

  it('resolves before the document has been produced: the document is never buffered', async () => {
    let produced = 0;
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x55);
    let sentHeader = false;
    const source = new Readable({
      read() {
        if (!sentHeader) {
          sentHeader = true;
          this.push(request);
          return;
        }
        if (produced >= total) return void this.push(null);
        produced += chunk.length;
        this.push(chunk);
      },
    });
    const { message, data } = await readIppMessage(source);
    expect(message.code).toBe(0x000b);
    // Only stream read-ahead (a few highWaterMarks) may have been produced, not the 64 MiB document.
    expect(produced).toBeLessThan(1024 * 1024);
    let seen = 0;
    for await (const part of data) seen += (part as Buffer).length;
    expect(seen).toBe(total);
  });

  it('rejects a stream that ends inside the attribute section with IppError truncated', async () => {
    const bytes = readVector('gpa-all-mcd.resp.bin').subarray(0, 5000);
    await expect(readIppMessage(chunked(bytes, 512))).rejects.toMatchObject({ name: 'IppError', code: 'IPP_TRUNCATED', offset: 5000 });
  });

  it('stops reading once the attribute section passes maxMessageBytes', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        // a text attribute over and over: never end-of-attributes
        this.push(pulled === 1 ? requestWith().subarray(0, -1) : field(0x41, 'x', 'y'.repeat(1000)));
      },
    });
    await expect(readIppMessage(endless, { limits: { maxMessageBytes: 100_000 } })).rejects.toMatchObject({ code: 'IPP_MESSAGE_TOO_LARGE' });
    expect(pulled).toBeLessThan(200);
    endless.destroy();
  });

  it('does not wait forever on a stream that already ended or was destroyed', async () => {
    const ended = Readable.from([]);
    for await (const _ of ended) void _;
    await expect(readIppMessage(ended)).rejects.toMatchObject({ code: 'IPP_TRUNCATED' });
    const destroyed = new Readable({ read() {} });
    destroyed.destroy();
    await expect(readIppMessage(destroyed)).rejects.toMatchObject({ code: 'IPP_STREAM_ERROR' });
  });

  it('reports malformed framing with the decoder error, and a failing stream as stream-error', async () => {
    await expect(readIppMessage(chunked(requestWith(field(0x37, '')), 3))).rejects.toMatchObject({ code: 'IPP_BAD_COLLECTION' });
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    const error = await readIppMessage(failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IppError);
    expect((error as IppError).code).toBe('IPP_STREAM_ERROR');
    expect((error as IppError).cause).toBeInstanceOf(Error);
  });
});
