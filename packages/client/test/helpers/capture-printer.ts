/**
 * A minimal TRUSTNOONE-advertising IPP endpoint on 127.0.0.1 that records every request byte for
 * byte and opens nothing: the tests decrypt what it captured with `openssl cms` (an independent
 * implementation) and check the inner request with the profile's printer-side functions.
 */
import { createServer, type Server } from 'node:http';
import { decodeMessage, encodeMessage, GroupTag, type IppAttribute, type IppMessage, type IppValue, IppOperation } from '@trustnoone/ipp';
import { joinPemLines, sealToBytes } from '@trustnoone/smime';

export interface Captured {
  readonly raw: Buffer;
  readonly message: IppMessage;
  readonly data: Buffer;
}

export interface CapturePrinter {
  readonly uri: string;
  readonly uuid: string;
  readonly requests: Captured[];
  /** Replace the advertised certificate (a relay substituting keys). */
  setCertificate(pem: string): void;
  /** The job-state Get-Job-Attributes reports, and its reasons. */
  setJobOutcome(state: number, reasons: string[]): void;
  close(): Promise<void>;
}

const a = (name: string, ...values: IppValue[]): IppAttribute => ({ name, values });
const kw = (value: string): IppValue => ({ tag: 'keyword', value });
const mime = (value: string): IppValue => ({ tag: 'mimeMediaType', value });
const int = (value: number): IppValue => ({ tag: 'integer', value });

function response(req: IppMessage, status: number, groups: { tag: number; attributes: IppAttribute[] }[]): Buffer {
  const head = {
    tag: GroupTag.operation,
    attributes: [a('attributes-charset', { tag: 'charset', value: 'utf-8' }), a('attributes-natural-language', { tag: 'naturalLanguage', value: 'en' })],
  };
  return Buffer.from(encodeMessage({ version: { major: 2, minor: 0 }, code: status, requestId: req.requestId, groups: [head, ...groups] }));
}

export interface CaptureOptions {
  readonly certificatePem: string;
  readonly uuid: string;
  readonly multipleDocuments?: boolean;
  /** Signs Get-Encrypted-Job-Attributes answers (normally the printer's own key). */
  readonly answerSigner?: { readonly certificate: string; readonly privateKey: string };
  /** The job nonce its answers name (a real printer reads it from the sealed job; this one opens nothing). */
  readonly answerJobNonce?: string;
}

export async function startCapturePrinter(options: CaptureOptions): Promise<CapturePrinter> {
  let certificate = options.certificatePem;
  let outcome = { state: 9, reasons: ['job-completed-successfully'] };
  const requests: Captured[] = [];
  let nextJob = 1;
  let uri = '';
  const printerAttrs = (): IppAttribute[] => [
    a('printer-uri-supported', { tag: 'uri', value: uri }),
    a('printer-name', { tag: 'nameWithoutLanguage', value: 'capture' }),
    a('printer-uuid', { tag: 'uri', value: options.uuid }),
    a('printer-pkcs7-public-key', ...certificate.split('\n').filter(Boolean).map((value): IppValue => ({ tag: 'textWithoutLanguage', value }))),
    a('document-format-supported', mime('application/pdf'), mime('text/plain'), mime('application/pkcs7-mime')),
    a('pkcs7-document-format-supported', mime('application/pdf'), mime('text/plain')),
    a('operations-supported', ...[IppOperation.printJob, IppOperation.createJob, IppOperation.sendDocument, IppOperation.getJobAttributes, IppOperation.getPrinterAttributes].map((value): IppValue => ({ tag: 'enum', value }))),
    a('multiple-document-jobs-supported', { tag: 'boolean', value: options.multipleDocuments ?? true }),
    a('copies-supported', { tag: 'rangeOfInteger', value: { lower: 1, upper: 99 } }),
    a('copies-default', int(1)),
    a('sides-supported', kw('one-sided'), kw('two-sided-long-edge')),
    a('media-supported', kw('iso_a4_210x297mm'), kw('na_letter_8.5x11in')),
  ];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const message = decodeMessage(raw);
      requests.push({ raw, message, data: Buffer.from(message.data ?? new Uint8Array()) });
      let body: Buffer;
      const job = (id: number, state: number, reasons: string[]) => ({
        tag: GroupTag.job,
        attributes: [a('job-id', int(id)), a('job-uri', { tag: 'uri', value: `${uri}/${id}` }), a('job-state', { tag: 'enum', value: state }), a('job-state-reasons', ...reasons.map(kw))],
      });
      switch (message.code) {
        case IppOperation.getPrinterAttributes:
          body = response(message, 0, [{ tag: GroupTag.printer, attributes: printerAttrs() }]);
          break;
        case IppOperation.printJob:
        case IppOperation.createJob:
          body = response(message, 0, [job(nextJob++, 3, ['none'])]);
          break;
        case IppOperation.sendDocument:
          body = response(message, 0, [job(nextJob - 1, 3, ['none'])]);
          break;
        case IppOperation.getJobAttributes:
          body = response(message, 0, [job(nextJob - 1, outcome.state, outcome.reasons)]);
          break;
        case IppOperation.getEncryptedJobAttributes: {
          const ops = message.groups[0]!.attributes;
          const pem = joinPemLines(ops.find((x) => x.name === 'requesting-user-pkcs7-public-key')!.values.map((v) => ('value' in v ? String(v.value) : '')));
          const answer = encodeMessage({
            version: { major: 2, minor: 0 },
            code: 0,
            requestId: message.requestId,
            groups: [
              // Issue 11.4: the answer names the job's sealed nonce and echoes the request's nonce.
              {
                tag: GroupTag.operation,
                attributes: [
                  ...(options.answerJobNonce ? [a('job-uuid', { tag: 'uri', value: options.answerJobNonce })] : []),
                  ...ops.filter((x) => x.name === 'encrypted-job-attributes-nonce'),
                ],
              },
              { tag: GroupTag.job, attributes: [a('job-name', { tag: 'nameWithoutLanguage', value: 'Payroll November' }), a('copies', int(2))] },
            ],
          });
          const sealed = await sealToBytes(answer, { recipients: [pem], ...(options.answerSigner ? { signer: options.answerSigner } : {}) });
          body = Buffer.concat([response(message, 0, []), sealed]);
          break;
        }
        default:
          body = response(message, 0x0501, []);
      }
      res.writeHead(200, { 'content-type': 'application/ipp', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  uri = `ipp://127.0.0.1:${(server.address() as { port: number }).port}/ipp/print`;
  return {
    uri,
    uuid: options.uuid,
    requests,
    setCertificate: (pem) => (certificate = pem),
    setJobOutcome: (state, reasons) => (outcome = { state, reasons }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
