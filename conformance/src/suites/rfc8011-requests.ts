/**
 * RFC 8011 §4.1 request checks: what a Printer answers to a malformed or unsupported request.
 * PWG 5100.14 (IPP Everywhere self-certification) runs the same checks; a Printer that accepts
 * these requests would accept anything a buggy or hostile client sends.
 */
import { GroupTag, type IppAttribute, type IppMessage, IppStatus } from '@trustnoone/ipp';
import { IppTransportError } from '@trustnoone/ipp-http/client';
import type { TestContext } from '../context.js';
import { expectStatus } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { defineSuite, defineTest, type Level } from '../model.js';
import { BOTH } from './shared.js';

/** A Get-Printer-Attributes with its operation attributes rewritten by `edit`. */
function gpa(t: TestContext, edit: (ops: IppAttribute[]) => IppAttribute[], header: Partial<Pick<IppMessage, 'version' | 'requestId'>> = {}): IppMessage {
  const base = t.request('Get-Printer-Attributes', { operation: [attr('requested-attributes', val.keyword('printer-state'))] });
  const ops = base.groups[0]!.attributes;
  return { ...base, ...header, groups: [{ tag: GroupTag.operation, attributes: edit([...ops]) }] };
}

const without = (name: string) => (ops: IppAttribute[]) => ops.filter((a) => a.name !== name);

function check(id: string, title: string, section: string, status: [string, ...string[]], build: (t: TestContext) => IppMessage, level: Level = 'REQUIRED') {
  return defineTest({
    id: `rfc8011-requests.${id}`,
    title,
    level,
    section,
    roles: BOTH,
    requires: ['ipp'],
    async run(t) {
      const { message } = await t.send(build(t));
      expectStatus(...status).of(message);
    },
  });
}

export const rfc8011Requests = defineSuite({
  id: 'rfc8011-requests',
  title: 'Request checks',
  spec: 'RFC 8011',
  tests: [
    check('request-id-zero', 'request-id 0 is rejected', '§4.1.1', ['client-error-bad-request'], (t) => gpa(t, (o) => o, { requestId: 0 })),
    check('version-0.0', 'version-number 0.0 is rejected', '§4.1.8', ['server-error-version-not-supported'], (t) => gpa(t, (o) => o, { version: { major: 0, minor: 0 } })),
    check('missing-charset', 'a request without attributes-charset is rejected', '§4.1.4.1', ['client-error-bad-request'], (t) => gpa(t, without('attributes-charset'))),
    check('missing-natural-language', 'a request without attributes-natural-language is rejected', '§4.1.4.1', ['client-error-bad-request'], (t) => gpa(t, without('attributes-natural-language'))),
    check('misordered-charset-language', 'attributes-natural-language before attributes-charset is rejected', '§4.1.4', ['client-error-bad-request'], (t) =>
      gpa(t, (o) => [o[1]!, o[0]!, ...o.slice(2)]),
    ),
    check('missing-printer-uri', 'a request without printer-uri is rejected', '§4.1.5', ['client-error-bad-request'], (t) => gpa(t, without('printer-uri'))),
    defineTest({
      id: 'rfc8011-requests.no-operation-group',
      title: 'a request whose first group is not the operation group is rejected',
      level: 'REQUIRED',
      section: '§4.1.3',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        const m = gpa(t, (o) => o);
        const bad = { ...m, groups: [{ tag: GroupTag.job, attributes: [attr('copies', val.integer(1))] }, ...m.groups] };
        try {
          expectStatus('client-error-bad-request').of((await t.send(bad)).message);
        } catch (err) {
          // A message whose groups go backwards may be refused while it is parsed, before any IPP
          // processing: HTTP 400 Bad Request is a rejection too (RFC 8010 §3.1.1, RFC 7231 §6.5.1).
          if (!(err instanceof IppTransportError && err.httpStatus === 400)) throw err;
          t.note('rejected at the HTTP layer (400 Bad Request)');
        }
      },
    }),
    check('unsupported-operation', 'an operation the Printer does not support is answered operation-not-supported', '§4.1.8, §13.1.5.2', ['server-error-operation-not-supported'], (t) => ({
      ...gpa(t, (o) => o),
      code: 0x3fff,
    })),
    check(
      'unsupported-charset',
      'an unsupported attributes-charset is answered charset-not-supported',
      '§4.1.4.1',
      ['client-error-charset-not-supported'],
      (t) => gpa(t, (o) => [attr('attributes-charset', val.charset('x-conformance-unknown')), ...o.slice(1)]),
      'RECOMMENDED',
    ),
    defineTest({
      id: 'rfc8011-requests.unsupported-document-format',
      title: 'Validate-Job with an unsupported document-format is answered document-format-not-supported',
      level: 'REQUIRED',
      section: '§4.2.3, §13.1.4.11',
      roles: BOTH,
      requires: ['validate-job'],
      async run(t) {
        const { message } = await t.send(t.request('Validate-Job', { operation: [attr('document-format', val.mime('application/x-conformance-unknown'))] }));
        // §13.1.4.11 names the specific status; §4.1.7's general attributes-or-values-not-supported is
        // what some printers (ippeveprinter among them) answer, and still refuses the request.
        expectStatus('client-error-document-format-not-supported', 'client-error-attributes-or-values-not-supported').of(message);
        if (message.code !== IppStatus.clientErrorDocumentFormatNotSupported) t.note('answered attributes-or-values-not-supported rather than the specific document-format-not-supported');
      },
    }),
  ],
});
