import fc from 'fast-check';
import type { IppAttribute, IppGroup, IppMessage, IppValue } from '@trustnoone/ipp';

/** fast-check generators of valid IppMessages: every value the encoder accepts and the decoder reads back identically. */

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const byte = fc.integer({ min: 0, max: 255 });
const str = fc.string({ unit: 'grapheme', maxLength: 40 });
const attrName = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 });
const bytes = (minLength = 0) => fc.uint8Array({ minLength, maxLength: 40 });
/** Tags with no syntax in the codec, which decode as raw. */
const UNASSIGNED = [0x14, 0x18, 0x1f, 0x20, 0x24, 0x2f, 0x38, 0x40, 0x43, 0x4b, 0x60, 0x7e, 0x7f, 0x80, 0xc3, 0xff];

const scalar: fc.Arbitrary<IppValue> = fc.oneof(
  int32.map((value): IppValue => ({ tag: 'integer', value })),
  int32.map((value): IppValue => ({ tag: 'enum', value })),
  fc.boolean().map((value): IppValue => ({ tag: 'boolean', value })),
  bytes().map((value): IppValue => ({ tag: 'octetString', value })),
  fc
    .record({
      year: fc.integer({ min: 0, max: 0xffff }),
      month: byte,
      day: byte,
      hours: byte,
      minutes: byte,
      seconds: byte,
      deciSeconds: byte,
      utcDirection: fc.constantFrom('+' as const, '-' as const),
      utcHours: byte,
      utcMinutes: byte,
    })
    .map((value): IppValue => ({ tag: 'dateTime', value })),
  fc.record({ x: int32, y: int32, units: fc.constantFrom(3 as const, 4 as const) }).map((value): IppValue => ({ tag: 'resolution', value })),
  fc.record({ lower: int32, upper: int32 }).map((value): IppValue => ({ tag: 'rangeOfInteger', value })),
  fc.record({ tag: fc.constantFrom('textWithLanguage' as const, 'nameWithLanguage' as const), value: str, language: str }),
  fc.record({
    tag: fc.constantFrom('textWithoutLanguage' as const, 'nameWithoutLanguage' as const, 'keyword' as const, 'uri' as const, 'uriScheme' as const, 'charset' as const, 'naturalLanguage' as const, 'mimeMediaType' as const),
    value: str,
  }),
  fc.record({
    tag: fc.constantFrom('unsupported' as const, 'default' as const, 'unknown' as const, 'noValue' as const, 'notSettable' as const, 'deleteAttribute' as const, 'adminDefine' as const),
    value: fc.option(bytes(1), { nil: undefined }),
  }).map((v): IppValue => (v.value === undefined ? { tag: v.tag } : { tag: v.tag, value: v.value })),
  fc.record({ code: fc.constantFrom(...UNASSIGNED), value: bytes() }).map((v): IppValue => ({ tag: 'raw', ...v })),
);

const { value: anyValue } = fc.letrec<{ value: IppValue; attribute: IppAttribute }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, scalar, fc.array(tie('attribute'), { maxLength: 4 }).map((value): IppValue => ({ tag: 'collection', value }))),
  attribute: fc.record({ name: attrName, values: fc.array(tie('value'), { minLength: 1, maxLength: 3 }) }),
}));

const topValue = fc.oneof(anyValue, str.map((value): IppValue => ({ tag: 'memberAttrName', value })));
const attribute = fc.record({ name: attrName, values: fc.array(topValue, { minLength: 1, maxLength: 4 }) });
const groupTag = fc.constantFrom(0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0f);
const group: fc.Arbitrary<IppGroup> = fc.record({ tag: groupTag, attributes: fc.array(attribute, { maxLength: 6 }) });

export const message: fc.Arbitrary<IppMessage> = fc
  .record({
    version: fc.record({ major: byte, minor: byte }),
    code: fc.integer({ min: 0, max: 0xffff }),
    requestId: fc.integer({ min: 0, max: 0xffffffff }),
    groups: fc.array(group, { maxLength: 4 }),
    data: fc.option(bytes(1), { nil: undefined }),
  })
  .map((m): IppMessage => (m.data === undefined ? { version: m.version, code: m.code, requestId: m.requestId, groups: m.groups } : m));
