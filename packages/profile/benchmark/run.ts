/**
 * Cost of the profile's printer-side checks (parseInnerRequest + checkBinding with an in-memory
 * replay cache) per sealed document, against the peer that always precedes them: decoding the
 * inner request's attribute section with @trustnoone/ipp (decodeMessage), same run, same message.
 *
 *   node_modules/.bin/tsx --conditions source packages/profile/benchmark/run.ts
 */
import { decodeMessage, encodeMessage } from '@trustnoone/ipp';
import { buildInnerRequest, checkBinding, MemoryReplayCache, newJobNonce, parseInnerRequest } from '@trustnoone/profile';

const PRINTER = `urn:uuid:${globalThis.crypto.randomUUID()}`;
const N = 50_000;
const messages = Array.from({ length: N }, () =>
  encodeMessage(
    buildInnerRequest({
      operation: 'Print-Job',
      printerUri: 'ipp://127.0.0.1:8632/ipp/print',
      requestingUserName: 'alice',
      printerUuid: PRINTER,
      jobUuid: newJobNonce(),
      documentFormat: 'application/pdf',
      jobName: 'Quarterly report',
      documentName: 'report.pdf',
      jobAttributes: [
        { name: 'copies', values: [{ tag: 'integer', value: 2 }] },
        { name: 'sides', values: [{ tag: 'keyword', value: 'two-sided-long-edge' }] },
        { name: 'media', values: [{ tag: 'keyword', value: 'iso_a4_210x297mm' }] },
      ],
    }),
  ),
);

const decoded = messages.map((m) => decodeMessage(m));
let t = performance.now();
for (const m of messages) decodeMessage(m);
const decodeMs = performance.now() - t;

const replay = new MemoryReplayCache();
t = performance.now();
for (const m of decoded) await checkBinding(parseInnerRequest(m), { operation: 'Print-Job', printerUuid: PRINTER, expectedDocumentNumber: 1, replay });
const profileMs = performance.now() - t;

console.log(`${N} inner Print-Job requests (${messages[0]!.length} bytes each)`);
console.log(`peer: decodeMessage (@trustnoone/ipp)          ${((decodeMs * 1000) / N).toFixed(2)} µs/request`);
console.log(`parseInnerRequest + checkBinding (profile)     ${((profileMs * 1000) / N).toFixed(2)} µs/request`);
console.log(`ratio profile checks / decode: ${(profileMs / decodeMs).toFixed(2)}`);
