/**
 * The Proxy hands fetched jobs to this printer's own IPP operations — the very handlers a pushed
 * job goes through (outer checks, envelope opening, signature and binding checks, replay cache,
 * rendering) — via fastify's in-process injection, so pull mode adds no second pipeline.
 */
import { Readable } from 'node:stream';
import { encodeHeader, GroupTag, IppOperation, readIppMessage, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import type { PrinterHandle } from '../app.js';
import type { Job } from '../jobs/job.js';
import { v } from './infra-client.js';

export interface LocalAnswer {
  readonly status: number;
  readonly message: IppMessage;
  readonly data: Buffer;
}

let nextId = 1;

export class LocalPrinter {
  constructor(readonly printer: PrinterHandle) {}

  get uri(): string {
    return this.printer.runtime.identity.uris[0]!;
  }

  job(id: number): Job | undefined {
    return this.printer.runtime.store.get(id);
  }

  async ipp(code: number, ops: readonly IppAttribute[], data?: Readable): Promise<LocalAnswer> {
    const message: IppMessage = {
      version: { major: 2, minor: 0 },
      code,
      requestId: nextId++,
      groups: [
        {
          tag: GroupTag.operation,
          attributes: [
            { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
            { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
            v.uri('printer-uri', this.uri),
            ...ops,
          ],
        },
      ],
    };
    const header = encodeHeader(message);
    const body = Readable.from(
      (async function* () {
        yield Buffer.from(header.buffer, header.byteOffset, header.byteLength);
        if (data) for await (const chunk of data) yield chunk as Buffer;
      })(),
      { objectMode: false },
    );
    const res = await this.printer.app.inject({ method: 'POST', url: '/ipp/print', headers: { 'content-type': 'application/ipp' }, payload: body });
    const { message: answer, data: rest } = await readIppMessage(Readable.from([res.rawPayload]));
    const chunks: Buffer[] = [];
    for await (const c of rest) chunks.push(c as Buffer);
    return { status: answer.code, message: answer, data: Buffer.concat(chunks) };
  }

  /** The printer's attributes as a client would read them (for Update-Output-Device-Attributes). */
  async printerAttributes(): Promise<IppAttribute[]> {
    const a = await this.ipp(IppOperation.getPrinterAttributes, [v.keyword('requested-attributes', 'all')]);
    return a.message.groups.filter((g) => g.tag === GroupTag.printer).flatMap((g) => g.attributes);
  }

  /** Resolves once the local job has ended and its manifest is written (or `signal` aborts). */
  finished(id: number, signal: AbortSignal): Promise<Job | undefined> {
    const store = this.printer.runtime.store;
    return new Promise((resolve) => {
      const check = (): boolean => {
        const j = store.get(id);
        if (!j || j.finalized) {
          done(j);
          return true;
        }
        return false;
      };
      const off = store.onChange((j) => {
        if (j.id === id) check();
      });
      const onAbort = (): void => done(store.get(id));
      function done(j: Job | undefined): void {
        off();
        signal.removeEventListener('abort', onAbort);
        resolve(j);
      }
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }
}
