/**
 * docs/decisions.md D36: the Printer Description attributes that depend only on the identity are
 * frozen and encoded once per identity; Get-Printer-Attributes copies their bytes. The answer must
 * be byte for byte what encoding the same attributes afresh gives, with the live state current
 * on every call and a new identity (as setUris makes) answered with its own attributes.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodeMessage, GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { printerAttributes, type PrinterIdentity, type PrinterStatus } from '../src/attributes/printer-attributes.js';

const identity: PrinterIdentity = {
  name: 'pre-encoded',
  uuid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  makeAndModel: 'test printer',
  location: 'here',
  info: 'a printer',
  uris: ['ipp://127.0.0.1:631/ipp/print'],
  pkcs7PublicKeyLines: ['-----BEGIN CERTIFICATE-----', 'MIIB', '-----END CERTIFICATE-----'],
  requireEncryption: false,
  pinRepertoire: 'iana_us-ascii_digits',
  operations: [0x0002, 0x000b],
};

const status = (queuedJobCount: number, now: Date): PrinterStatus => ({
  state: queuedJobCount > 0 ? 'processing' : 'idle',
  stateReasons: [],
  stateMessage: '',
  isAcceptingJobs: true,
  queuedJobCount,
  startedAt: new Date('2026-01-01T00:00:00Z'),
  stateChangedAt: new Date('2026-01-01T00:00:00Z'),
  now,
});

const answer = (attributes: readonly IppAttribute[]): IppMessage => ({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.printer, attributes }] });
/** A plain deep copy: no freezing, no kept encoding (structuredClone keeps neither). */
const plain = (attributes: readonly IppAttribute[]): IppAttribute[] => structuredClone(attributes) as IppAttribute[];
const value = (attributes: readonly IppAttribute[], name: string): unknown => attributes.find((a) => a.name === name)?.values[0]?.value;

describe('Get-Printer-Attributes from pre-encoded description attributes (D36)', () => {
  it('the answer, whole and filtered, encodes exactly as the same attributes encoded afresh', () => {
    const attrs = printerAttributes(identity, status(0, new Date('2026-01-01T00:01:00Z')));
    expect(Buffer.from(encodeMessage(answer(attrs))).equals(Buffer.from(encodeMessage(answer(plain(attrs)))))).toBe(true);
    const some = attrs.filter((a) => a.name.startsWith('media-') || a.name.startsWith('printer-'));
    expect(Buffer.from(encodeMessage(answer(some))).equals(Buffer.from(encodeMessage(answer(plain(some)))))).toBe(true);
  });

  it('the description is reused for one identity while the status attributes follow every call', () => {
    const first = printerAttributes(identity, status(0, new Date('2026-01-01T00:01:00Z')));
    const second = printerAttributes(identity, status(3, new Date('2026-01-01T00:02:00Z')));
    expect(second.find((a) => a.name === 'media-col-database')).toBe(first.find((a) => a.name === 'media-col-database'));
    expect(value(first, 'queued-job-count')).toBe(0);
    expect(value(second, 'queued-job-count')).toBe(3);
    expect(value(second, 'printer-up-time')).toBe(121);
    expect(Object.isFrozen(second.find((a) => a.name === 'printer-name'))).toBe(true);
  });

  it('a new identity (setUris replaces the object) is answered with its own URIs, not the kept ones', () => {
    const moved: PrinterIdentity = { ...identity, uris: ['ipps://printer.example:8631/ipp/print'] };
    const attrs = printerAttributes(moved, status(0, new Date('2026-01-01T00:01:00Z')));
    expect(value(attrs, 'printer-uri-supported')).toBe('ipps://printer.example:8631/ipp/print');
    expect(value(attrs, 'uri-security-supported')).toBe('tls');
    expect(value(printerAttributes(identity, status(0, new Date())), 'printer-uri-supported')).toBe('ipp://127.0.0.1:631/ipp/print');
  });
});
