import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GroupTag,
  OPERATION_RULES,
  decodeMessage,
  encodeMessage,
  keyword,
  noValue,
  request,
  text,
  unsupportedAttributes,
  validateOperation,
  validateRequest,
  type AttributeInput,
  type IppAttribute,
  type IppMessage,
  type IppValue,
} from '@trustnoone/ipp';
import { message as anyMessage } from './arbitraries.js';

/** Safe ASCII text for names and texts: the registry's syntax checks must accept it too. */
const word = fc.stringMatching(/^[A-Za-z0-9 ._-]{1,40}$/);
const id = fc.integer({ min: 1, max: 0x7fffffff });
const uuid = fc.uuid().map((u) => `urn:uuid:${u}`);
const httpUri = fc.webUrl({ withQueryParameters: false, withFragments: false }).filter((u) => !/\s/.test(u) && u.length < 1000);

/** Values for every attribute an operation rule can require, each in its registered syntax. */
const REQUIRED_VALUE: Record<string, fc.Arbitrary<AttributeInput>> = {
  'printer-uri': fc.constantFrom('ipp://127.0.0.1:631/ipp/print', 'ipps://printer.example/ipp/print'),
  'system-uri': fc.constant('ipp://127.0.0.1:631/ipp/system'),
  'job-uri': id.map((n) => `ipp://127.0.0.1:631/ipp/print/${n}`),
  'job-id': id,
  'document-uri': httpUri,
  'last-document': fc.boolean(),
  'document-number': id,
  'output-device-uuid': uuid,
  'notify-job-id': id,
  'notify-subscription-ids': fc.array(id, { minLength: 1, maxLength: 5 }),
  'encrypted-job-request-id': id,
  'requesting-user-pkcs7-public-key': fc.array(word.map((w) => text(w)), { minLength: 1, maxLength: 5 }),
};
/** Optional operation attributes a client may add to any of these requests. */
const OPTIONAL_VALUE: Record<string, fc.Arbitrary<AttributeInput>> = {
  'requesting-user-name': word,
  'job-name': word,
  'document-format': fc.constantFrom('application/pdf', 'image/pwg-raster', 'application/octet-stream'),
  'requested-attributes': fc.array(fc.constantFrom('all', 'job-state', 'printer-state', 'media-col-database'), { minLength: 1, maxLength: 4 }),
};

const knownCodes = [...OPERATION_RULES.keys()];

/** A request for a known operation with what its rule requires, built by request(). */
const validRequest: fc.Arbitrary<IppMessage> = fc
  .record({
    code: fc.constantFrom(...knownCodes),
    byJobUri: fc.boolean(),
    values: fc.record(REQUIRED_VALUE),
    optional: fc.record(OPTIONAL_VALUE, { requiredKeys: [] }),
    paired: fc.array(fc.tuple(id, fc.integer({ min: 3, max: 9 })), { maxLength: 4 }),
  })
  .map(({ code, byJobUri, values, optional, paired }) => {
    const rule = OPERATION_RULES.get(code)!;
    const attrs: Record<string, AttributeInput> = {};
    const put = (name: string): void => void (attrs[name] = values[name]!);
    if (rule.target === 'system') put('system-uri');
    else if (rule.target === 'job' && byJobUri) put('job-uri');
    else {
      put('printer-uri');
      if (rule.target === 'job') put('job-id');
    }
    for (const name of rule.required ?? []) put(name);
    if (rule.paired !== undefined && paired.length > 0) {
      const [[a, b]] = rule.paired as [readonly [string, string]];
      attrs[a] = paired.map(([j]) => j);
      attrs[b] = paired.map(([, s]) => ({ tag: 'enum', value: s }) as IppValue);
    }
    const builder = request(code, { requestId: 1 }).operation({ ...attrs, ...optional });
    if (rule.requiredGroup === GroupTag.job) builder.job({ 'job-priority': 50 });
    return builder.build();
  });

type Mutation = (m: IppMessage) => IppMessage;
const mapOperation = (m: IppMessage, f: (attrs: readonly IppAttribute[]) => IppAttribute[]): IppMessage => ({
  ...m,
  groups: m.groups.map((g) => (g.tag === GroupTag.operation ? { ...g, attributes: f(g.attributes) } : g)),
});
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((i): Mutation => (m) => mapOperation(m, (a) => a.filter((_, j) => j !== i % Math.max(1, a.length)))),
  fc.nat().map((i): Mutation => (m) => mapOperation(m, (a) => a.map((x, j) => (j === i % Math.max(1, a.length) ? { ...x, values: [...x.values, ...x.values] } : x)))),
  fc.nat().map((i): Mutation => (m) => mapOperation(m, (a) => a.map((x, j) => (j === i % Math.max(1, a.length) ? { ...x, values: [noValue()] } : x)))),
  fc.nat().map((i): Mutation => (m) => mapOperation(m, (a) => a.map((x, j) => (j === i % Math.max(1, a.length) ? { ...x, values: [] } : x)))),
  fc.string().map((w): Mutation => (m) => mapOperation(m, (a) => [...a, { name: 'which-jobs', values: [keyword(w)] }, { name: 'compression', values: [keyword(w)] }])),
  fc.integer({ min: 0, max: 0xffff }).map((code): Mutation => (m) => ({ ...m, code })),
  fc.constant<Mutation>((m) => ({ ...m, groups: [...m.groups].reverse() })),
  fc.constant<Mutation>((m) => ({ ...m, groups: [] })),
  anyMessage.map((other): Mutation => (m) => ({ ...m, groups: [...m.groups, ...other.groups] })),
);

const STATUSES = new Set([0x0400, 0x040b, 0x040f]);

describe('per-operation rules: properties', () => {
  it('every request() builds for a known operation with its required attributes passes, before and after the wire', () => {
    fc.assert(
      fc.property(validRequest, (m) => {
        expect(validateOperation(m)).toEqual([]);
        expect(validateRequest(m, { operationRules: true })).toEqual([]);
        expect(validateRequest(decodeMessage(encodeMessage(m)), { operationRules: true })).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('dropping any required attribute or the target is always a bad request naming an attribute', () => {
    fc.assert(
      fc.property(validRequest, fc.nat(), (m, pick) => {
        const rule = OPERATION_RULES.get(m.code)!;
        const needed = m.groups[0]!.attributes.filter((a) => (rule.required ?? []).includes(a.name) || ['printer-uri', 'system-uri', 'job-uri'].includes(a.name));
        // Register-Output-Device carries printer-uri as well, which is not its target.
        const droppable = needed.filter((a) => !(rule.target === 'system' && a.name === 'printer-uri'));
        if (droppable.length === 0) return;
        const drop = droppable[pick % droppable.length]!.name;
        const found = validateOperation(mapOperation(m, (a) => a.filter((x) => x.name !== drop)));
        expect(found[0]?.status).toBe(0x0400);
        expect(found[0]?.attribute).toBeTypeOf('string');
      }),
      { numRuns: 500 },
    );
  });

  it('mutated and random messages never throw and only ever get typed findings', () => {
    const check = (m: IppMessage): void => {
      const found = validateOperation(m);
      for (const v of found) {
        expect(STATUSES.has(v.status)).toBe(true);
        expect(v.message.length).toBeGreaterThan(0);
      }
      expect(() => unsupportedAttributes(found)).not.toThrow();
      expect(() => validateRequest(m, { operationRules: true })).not.toThrow();
    };
    fc.assert(fc.property(validRequest, fc.array(mutation, { maxLength: 5 }), (m, ms) => check(ms.reduce((x, f) => f(x), m))), { numRuns: 1000 });
    fc.assert(fc.property(anyMessage, check), { numRuns: 1000 });
  });
});

/** CPU microseconds for `repeat` runs, best of 5: the least disturbed by GC and other processes on a shared machine. */
function cpuTime(m: IppMessage, repeat: number): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 5; attempt++) {
    const start = process.cpuUsage();
    for (let i = 0; i < repeat; i++) validateRequest(m, { operationRules: true });
    const used = process.cpuUsage(start);
    best = Math.min(best, used.user + used.system);
  }
  return best;
}

const hostile: Record<string, (n: number) => IppMessage> = {
  'many distinct operation attributes': (n) =>
    request('Update-Active-Jobs').operation(Array.from({ length: n }, (_, i): IppAttribute => ({ name: `x-${i}`, values: [{ tag: 'integer', value: i }] }))).build(),
  'the same required attribute repeated': (n) =>
    request('Fetch-Document').operation(Array.from({ length: n }, (): IppAttribute => ({ name: 'job-id', values: [{ tag: 'integer', value: 1 }, { tag: 'integer', value: 2 }] }))).build(),
  'one closed-list attribute with many unknown values': (n) =>
    request('Get-Jobs').operation([{ name: 'printer-uri', values: [{ tag: 'uri', value: 'ipp://h/p' }] }, { name: 'which-jobs', values: Array.from({ length: n }, (_, i) => keyword(`w${i}`)) }]).build(),
  'paired lists of different lengths': (n) =>
    request('Update-Active-Jobs')
      .operation([
        { name: 'job-ids', values: Array.from({ length: n }, (_, i) => ({ tag: 'integer' as const, value: i + 1 })) },
        { name: 'output-device-job-states', values: [{ tag: 'enum', value: 3 }] },
      ])
      .build(),
};

describe('per-operation rules take time linear in the request (bounded DoS check)', () => {
  for (const [shape, make] of Object.entries(hostile)) {
    it(shape, () => {
      const small = make(2000);
      const large = make(16000);
      cpuTime(small, 8); // warm up the JIT on this shape
      cpuTime(large, 1);
      const perSmall = cpuTime(small, 8) / (8 * 2000);
      const perLarge = cpuTime(large, 1) / 16000;
      // linear: ≈ 1; quadratic: ≈ 8
      expect(perLarge / perSmall).toBeLessThan(4);
    });
  }
});
