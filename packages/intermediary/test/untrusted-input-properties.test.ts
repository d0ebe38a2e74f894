/**
 * Property tests (fast-check) for every parser in this package that sees untrusted or
 * operator-supplied text: RFC 7617 Authorization headers, the users file, the spool's JSON form of
 * IPP attributes, and the fault-injection spec. Each either returns a value or fails with its typed
 * error — never anything else, never slowly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IppAttribute, IppValue } from '@trustnoone/ipp';
import { parseBasicAuthorization, parseUsersFile } from '../src/auth/users-file.js';
import { IntermediaryError } from '../src/errors.js';
import { faultsFromSpec } from '../src/faults.js';
import { fromJson, toJson } from '../src/spool/json.js';

describe('RFC 7617 Basic header parser', () => {
  it('round-trips any user without a colon and any password', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((u) => !u.includes(':')), fc.string({ maxLength: 60 }), (user, password) => {
        const header = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
        const got = parseBasicAuthorization(header);
        // Lone surrogates do not survive UTF-8; everything else must.
        if (Buffer.from(user, 'utf8').toString('utf8') === user && Buffer.from(password, 'utf8').toString('utf8') === password) {
          expect(got).toEqual({ user, password });
        }
      }),
    );
  });

  it('never throws on arbitrary header text, and refuses oversized ones quickly', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (h) => void parseBasicAuthorization(h)));
    const t = performance.now();
    expect(parseBasicAuthorization(`Basic ${'A'.repeat(5_000_000)}`)).toBeUndefined();
    expect(performance.now() - t).toBeLessThan(200);
  });
});

describe('users file parser', () => {
  it('returns a table or throws IntermediaryError(CONFIG), nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('a:user:scrypt$1$2$3$4$5', 'b:operator:scrypt$x', '# c', '', 'x:admin:scrypt$')), { maxLength: 20 }), (lines) => {
        try {
          const t = parseUsersFile(lines.join('\n'));
          for (const u of t.values()) expect(['user', 'operator']).toContain(u.role);
        } catch (err) {
          expect(err).toBeInstanceOf(IntermediaryError);
          expect((err as IntermediaryError).code).toBe('INTERMEDIARY_CONFIG');
        }
      }),
    );
  });
});

const value: fc.Arbitrary<IppValue> = fc.oneof(
  fc.record({ tag: fc.constant('integer' as const), value: fc.integer() }),
  fc.record({ tag: fc.constant('boolean' as const), value: fc.boolean() }),
  fc.record({ tag: fc.constant('octetString' as const), value: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ tag: fc.constant('keyword' as const), value: fc.string({ maxLength: 20 }) }),
  fc.record({ tag: fc.constant('textWithLanguage' as const), value: fc.string({ maxLength: 20 }), language: fc.constant('en') }),
  fc.record({ tag: fc.constant('raw' as const), code: fc.integer({ min: 0x50, max: 0x5f }), value: fc.uint8Array({ maxLength: 10 }) }),
  fc.record({ tag: fc.constant('noValue' as const) }),
);
const attribute: fc.Arbitrary<IppAttribute> = fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), values: fc.array(value, { minLength: 1, maxLength: 4 }) });

describe('spool JSON form of IPP attributes', () => {
  it('round-trips every value, bytes included', () => {
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 8 }), (attrs) => {
        expect(fromJson<IppAttribute[]>(toJson(attrs))).toEqual(attrs);
      }),
    );
  });
});

describe('fault-injection spec', () => {
  it('accepts only known points with an optional positive count', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (spec) => {
        try {
          faultsFromSpec(spec, () => {});
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
        }
      }),
    );
    let killed = 0;
    const hook = faultsFromSpec('forward.sent@2', () => killed++);
    hook.hit('forward.sent');
    hook.hit('upload.chunk');
    expect(killed).toBe(0);
    hook.hit('forward.sent');
    expect(killed).toBe(1);
    expect(() => faultsFromSpec('nowhere@1')).toThrow(RangeError);
    expect(() => faultsFromSpec('forward.sent@0')).toThrow(RangeError);
  });
});
