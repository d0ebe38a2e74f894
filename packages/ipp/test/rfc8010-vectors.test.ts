import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, GroupTag } from '@trustnoone/ipp';
import type { IppAttribute, IppValue } from '@trustnoone/ipp';
import { firstDifference, readVector, vectorDir, vectorNames } from './helpers.js';

/** libcups' names for tags, as written in the *.libcups.json oracles. */
const LIBCUPS_TAG: Record<string, string> = {
  noValue: 'no-value',
  notSettable: 'not-settable',
  deleteAttribute: 'delete-attribute',
  adminDefine: 'admin-define',
  textWithLanguage: 'textWithLanguage',
};
const LIBCUPS_GROUP: Record<number, string> = {
  [GroupTag.operation]: 'operation-attributes-tag',
  [GroupTag.job]: 'job-attributes-tag',
  [GroupTag.printer]: 'printer-attributes-tag',
  [GroupTag.unsupported]: 'unsupported-attributes-tag',
};

/** Our decoding rewritten in the oracle's form (which keeps only the first value's tag). */
function asLibcups(attribute: IppAttribute, group: string): unknown {
  const first = attribute.values[0]!;
  const tag = first.tag === 'raw' ? String(first.code) : (LIBCUPS_TAG[first.tag] ?? first.tag);
  return { name: attribute.name, group, tag, values: attribute.values.map(valueAsLibcups) };
}

function valueAsLibcups(v: IppValue): unknown {
  switch (v.tag) {
    case 'integer':
    case 'enum':
    case 'boolean':
    case 'rangeOfInteger':
    case 'resolution':
      return v.value;
    case 'octetString':
      return `hex:${Buffer.from(v.value).toString('hex')}`;
    case 'dateTime': {
      const d = v.value;
      const b = Buffer.from([d.year >> 8, d.year & 0xff, d.month, d.day, d.hours, d.minutes, d.seconds, d.deciSeconds, d.utcDirection.charCodeAt(0), d.utcHours, d.utcMinutes]);
      return `date:${b.toString('hex')}`;
    }
    case 'textWithLanguage':
    case 'nameWithLanguage':
      return { lang: v.language, value: v.value };
    case 'collection':
      return v.value.map((m) => asLibcups(m, 'zero'));
    case 'raw':
      return `raw:${Buffer.from(v.value).toString('hex')}`;
    case 'unsupported':
    case 'default':
    case 'unknown':
    case 'noValue':
    case 'notSettable':
    case 'deleteAttribute':
    case 'adminDefine':
      return null;
    default:
      return v.value;
  }
}

function stripTagnum(a: unknown): unknown {
  if (Array.isArray(a)) return a.map(stripTagnum);
  if (a !== null && typeof a === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) if (k !== 'tagnum') out[k] = stripTagnum(v);
    return out;
  }
  return a;
}

describe('RFC 8010 §3: the shared captures (CUPS 2.4.2 ippeveprinter, libcups ippWriteIO)', () => {
  const names = vectorNames();
  it('finds the captures', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of names) {
    it(`${name}: decode → encode is byte-identical`, () => {
      const bytes = readVector(name);
      const again = encodeMessage(decodeMessage(bytes));
      expect(firstDifference(again, bytes)).toBe(-1);
    });

    const oracle = `${vectorDir()}/${name.replace(/\.bin$/, '.libcups.json')}`;
    if (!existsSync(oracle)) continue;
    it(`${name}: agrees with libcups' decoding, attribute by attribute`, () => {
      const expected = JSON.parse(readFileSync(oracle, 'utf8')) as {
        version: string;
        code: number;
        request_id: number;
        consumed: number;
        attrs: unknown[];
      };
      const message = decodeMessage(readVector(name));
      expect(`${message.version.major}.${message.version.minor}`).toBe(expected.version);
      expect(message.code).toBe(expected.code);
      expect(message.requestId).toBe(expected.request_id);
      // Responses carry no document, so the whole file is the attribute section.
      expect(message.data).toBeUndefined();
      const ours = message.groups.flatMap((g) => g.attributes.map((a) => asLibcups(a, LIBCUPS_GROUP[g.tag] ?? String(g.tag))));
      expect(ours).toEqual(stripTagnum(expected.attrs));
    });
  }

  it('synthetic-edge keeps what libcups models: 7 out-of-band tags, dateTime offsets and deciseconds', () => {
    const message = decodeMessage(readVector('synthetic-edge.resp.bin'));
    const all = message.groups.flatMap((g) => g.attributes);
    const tags = new Set(all.flatMap((a) => a.values.map((v) => v.tag)));
    for (const t of ['unsupported', 'default', 'unknown', 'noValue', 'notSettable', 'deleteAttribute', 'adminDefine']) expect(tags).toContain(t);
    const time = all.find((a) => a.name === 'printer-current-time')!.values[0]!;
    expect(time).toEqual({
      tag: 'dateTime',
      value: { year: 2024, month: 2, day: 29, hours: 23, minutes: 59, seconds: 60, deciSeconds: 9, utcDirection: '-', utcHours: 9, utcMinutes: 30 },
    });
  });
});
