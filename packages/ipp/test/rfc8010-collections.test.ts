import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, findAttribute, findMember, IppError } from '@trustnoone/ipp';
import { field, firstDifference, int32, requestWith } from './helpers.js';

const beg = (name = '') => field(0x34, name);
const end = () => field(0x37, '');
const member = (name: string) => field(0x4a, '', name);

describe('RFC 8010 §3.1.6 collections', () => {
  const mediaCol = [
    beg('media-col'),
    member('media-size'),
    beg(),
    member('x-dimension'),
    field(0x21, '', int32(21000)),
    member('y-dimension'),
    field(0x21, '', int32(29700)),
    end(),
    member('media-source'),
    field(0x44, '', 'main'),
    field(0x44, '', 'manual'), // 1setOf inside a member
    end(),
    beg(''), // second collection value of media-col (1setOf collection)
    end(),
  ];

  it('decodes nested collections, a 1setOf inside a member and a 1setOf of collections; re-encodes byte for byte', () => {
    const bytes = requestWith(...mediaCol);
    const message = decodeMessage(bytes);
    expect(firstDifference(encodeMessage(message), bytes)).toBe(-1);
    const attribute = findAttribute(message, 'operation', 'media-col')!;
    expect(attribute.values).toHaveLength(2);
    const size = findMember(attribute.values[0], 'media-size')!;
    expect(findMember(size.values[0], 'x-dimension')!.values).toEqual([{ tag: 'integer', value: 21000 }]);
    expect(findMember(attribute.values[0], 'media-source')!.values).toEqual([
      { tag: 'keyword', value: 'main' },
      { tag: 'keyword', value: 'manual' },
    ]);
    expect(attribute.values[1]).toEqual({ tag: 'collection', value: [] });
  });

  it('accepts nesting up to the depth limit and refuses one level more', () => {
    const nest = (depth: number) => {
      const parts = [beg('c')];
      for (let i = 1; i < depth; i++) parts.push(member('m'), beg());
      for (let i = 0; i < depth; i++) parts.push(end());
      return requestWith(...parts);
    };
    expect(() => decodeMessage(nest(16))).not.toThrow();
    expect(() => decodeMessage(nest(17))).toThrowError(expect.objectContaining({ code: 'IPP_TOO_DEEP' }));
    expect(() => decodeMessage(nest(40), { limits: { maxCollectionDepth: 40 } })).not.toThrow();
  });

  const malformed: [string, Buffer[]][] = [
    ['a named attribute inside a collection', [beg('c'), field(0x21, 'named', int32(1)), end()]],
    ['a value with no memberAttrName before it', [beg('c'), field(0x21, '', int32(1)), end()]],
    ['a member name with no value', [beg('c'), member('m'), end()]],
    ['two member names in a row', [beg('c'), member('a'), member('b'), field(0x21, '', int32(1)), end()]],
    ['an empty member name', [beg('c'), member(''), field(0x21, '', int32(1)), end()]],
    ['endCollection with no open collection', [field(0x21, 'a', int32(1)), end()]],
    ['begCollection with a value', [field(0x34, 'c', 'x'), end()]],
    ['endCollection with a value', [beg('c'), field(0x37, '', 'x')]],
    ['a group tag inside a collection', [beg('c'), Buffer.from([0x04]), end()]],
  ];
  for (const [what, parts] of malformed) {
    it(`refuses ${what} with IppError bad-collection and an offset`, () => {
      try {
        decodeMessage(requestWith(...parts));
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(IppError);
        expect((error as IppError).code).toBe('IPP_BAD_COLLECTION');
        expect((error as IppError).offset).toBeGreaterThan(8);
        expect((error as IppError).status).toBe(0x0400);
      }
    });
  }
});
