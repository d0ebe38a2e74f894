import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, freezeAttributes, GroupTag, IppError } from '@trustnoone/ipp';
import type { IppAttribute, IppMessage } from '@trustnoone/ipp';
import { message } from './arbitraries.js';
import { firstDifference, readVector } from './helpers.js';
import { referenceEncode } from './reference-encoder.js';

/**
 * freezeAttributes (docs/decisions.md D36): attributes encoded once, reused by encodeMessage.
 * The bytes must be exactly those of encoding the same attributes afresh, for the whole list
 * and for any subset of it (requested-attributes filtering), and nothing done afterwards to the
 * caller's originals or to the frozen copies may make them stale.
 */

const expectSame = (ours: Uint8Array, reference: Uint8Array, what: string): void => {
  expect(firstDifference(ours, reference), `${what}: first differing offset`).toBe(-1);
};

/** `m` with every group's attributes frozen, or only those `keep` selects (a filtered subset). */
function withFrozenGroups(m: IppMessage, keep?: (a: IppAttribute, i: number) => boolean): { frozen: IppMessage; plain: IppMessage } {
  const frozen = m.groups.map((g) => ({ tag: g.tag, attributes: freezeAttributes(g.attributes) }));
  // Without `keep`, the frozen lists themselves (which carry the encoding of the whole list).
  const pick = (list: readonly IppAttribute[]): readonly IppAttribute[] => (keep === undefined ? list : list.filter(keep));
  return {
    frozen: { ...m, groups: frozen.map((g) => ({ tag: g.tag, attributes: pick(g.attributes) })) },
    plain: { ...m, groups: m.groups.map((g) => ({ tag: g.tag, attributes: pick(g.attributes) })) },
  };
}

describe('freezeAttributes (D36): attributes encoded once and reused', () => {
  it('arbitrary messages: frozen groups, whole or filtered, encode exactly as the plain ones', () => {
    fc.assert(
      fc.property(message, fc.integer({ min: 2, max: 4 }), (m, every) => {
        const whole = withFrozenGroups(m);
        expectSame(encodeMessage(whole.frozen), referenceEncode(whole.plain), 'whole');
        expectSame(encodeMessage(whole.frozen), encodeMessage(m), 'whole against the plain encoder');
        const some = withFrozenGroups(m, (_a, i) => i % every === 0);
        expectSame(encodeMessage(some.frozen), referenceEncode(some.plain), `every ${every}th attribute`);
        // Runs must break where the order differs from the frozen list's, or two frozen lists meet.
        const all = m.groups.flatMap((g) => g.attributes);
        const half = all.length >> 1;
        const mixed = [...freezeAttributes(all.slice(0, half)), ...freezeAttributes(all.slice(half))].reverse();
        const mixedPlain = { ...m, groups: [{ tag: 0x04, attributes: [...all].reverse() }] };
        expectSame(encodeMessage({ ...mixedPlain, groups: [{ tag: 0x04, attributes: mixed }] }), referenceEncode(mixedPlain), 'two frozen lists, reversed');
        const joined = [...freezeAttributes(all.slice(0, half)), ...freezeAttributes(all.slice(half))];
        expectSame(encodeMessage({ ...m, groups: [{ tag: 0x04, attributes: joined }] }), referenceEncode({ ...m, groups: [{ tag: 0x04, attributes: all }] }), 'two frozen lists, joined');
      }),
      { numRuns: 200 },
    );
  });

  it('gpa-all-mcd: its printer group frozen, whole and with requested-attributes-style selection, re-encodes to the capture', () => {
    const bytes = readVector('gpa-all-mcd.resp.bin');
    const m = decodeMessage(bytes);
    const { frozen } = withFrozenGroups(m);
    expect(Buffer.from(encodeMessage(frozen)).equals(bytes)).toBe(true);
    const wanted = new Set(['media-col-database', 'printer-name', 'document-format-supported', 'printer-state']);
    const some = withFrozenGroups(m, (a) => a.name.startsWith('attributes-') || wanted.has(a.name));
    expectSame(encodeMessage(some.frozen), encodeMessage(some.plain), 'selected attributes');
  });

  it('the copies are deep-frozen: no attribute, value list, value or collection member can be changed', () => {
    const [media] = freezeAttributes([
      { name: 'media-col-default', values: [{ tag: 'collection', value: [{ name: 'media-size', values: [{ tag: 'collection', value: [{ name: 'x-dimension', values: [{ tag: 'integer', value: 21000 }] }] }] }] }] },
    ]);
    // Through `any`-free casts to mutable shapes: the types say readonly, the test checks the objects do too.
    type Mutable = { name: string; values: { value: unknown }[] };
    const a = media as unknown as Mutable;
    expect(() => (a.name = 'other')).toThrow(TypeError);
    expect(() => a.values.push({ value: 1 })).toThrow(TypeError);
    expect(() => (a.values[0]!.value = [])).toThrow(TypeError);
    const mediaSize = (a.values[0]!.value as Mutable[])[0]!;
    const xDimension = (mediaSize.values[0]!.value as Mutable[])[0]!;
    expect(() => (xDimension.values[0]!.value = 1)).toThrow(TypeError);
    expect(() => (mediaSize.values as unknown[]).pop()).toThrow(TypeError);
  });

  it("changing the caller's originals afterwards changes nothing in the frozen copies' bytes", () => {
    const original = { name: 'printer-resolution-supported', values: [{ tag: 'resolution' as const, value: { x: 600, y: 600, units: 3 as const } }] };
    const list = [original];
    const frozen = freezeAttributes(list);
    const before = Buffer.from(encodeMessage({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.printer, attributes: frozen }] }));
    (original.values[0]!.value as { x: number }).x = 300;
    list.push({ name: 'printer-name', values: [{ tag: 'nameWithoutLanguage', value: 'x' }] } as never);
    const after = Buffer.from(encodeMessage({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.printer, attributes: frozen }] }));
    expect(after.equals(before)).toBe(true);
  });

  it('an attribute holding bytes (which cannot be frozen) is not pre-encoded: a change to its bytes shows', () => {
    const frozen = freezeAttributes([
      { name: 'printer-name', values: [{ tag: 'nameWithoutLanguage', value: 'p' }] },
      { name: 'printer-input-tray', values: [{ tag: 'octetString', value: new Uint8Array([1, 2, 3]) }] },
    ]);
    const m: IppMessage = { version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.printer, attributes: frozen }] };
    (frozen[1]!.values[0]!.value as Uint8Array)[0] = 9;
    const decoded = decodeMessage(Buffer.from(encodeMessage(m)));
    expect(decoded.groups[0]!.attributes[1]!.values[0]).toEqual({ tag: 'octetString', value: new Uint8Array([9, 2, 3]) });
    expectSame(encodeMessage(m), referenceEncode(m), 'after the change');
  });

  it('an attribute that cannot be encoded is refused when frozen, with the IppError encodeMessage gives', () => {
    const bad = [{ name: 'copies', values: [{ tag: 'integer' as const, value: 2 ** 40 }] }];
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        if (error instanceof IppError) return error.code;
        throw error;
      }
      return 'no error';
    };
    expect(code(() => freezeAttributes(bad))).toBe('IPP_BAD_VALUE');
    expect(code(() => encodeMessage({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: 1, attributes: bad }] }))).toBe('IPP_BAD_VALUE');
  });

  it('the copies compare equal to the originals (the kept encoding is not an enumerable property)', () => {
    const attrs: IppAttribute[] = [{ name: 'printer-name', values: [{ tag: 'nameWithoutLanguage', value: 'p' }] }];
    const frozen = freezeAttributes(attrs);
    expect(frozen).toEqual(attrs);
    expect(Object.keys(frozen[0]!)).toEqual(['name', 'values']);
    expect(JSON.stringify(frozen)).toBe(JSON.stringify(attrs));
  });
});
