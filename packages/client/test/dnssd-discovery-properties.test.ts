// browsePrinters parses what the local network publishes: untrusted. Any avahi-browse output,
// however malformed, parses without throwing into at most 1000 printers whose URIs are ipp(s)://
// with a valid port; well-formed records round-trip their escaped names and TXT values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAvahiBrowse } from '@trustnoone/client';

const record = (name: string, type: string, port: number, txt: string) => `=;eth0;IPv4;${name};${type};local;host.local;192.0.2.7;${port};${txt}`;

describe('avahi-browse output parser (DNS-SD records are untrusted input)', () => {
  it('reads the name (with avahi escapes), type, host, port, TXT keys, and the tno hint', () => {
    const out = [
      '+;eth0;IPv4;Office\\032Printer;_ipp._tcp;local',
      record('Office\\032Printer', '_ipps._tcp', 631, '"tno=1" "rp=ipp/print" "TLS=1.2" "note=2nd\\032floor"'),
      record('Plain', '_ipp._tcp', 8631, '"rp=ipp/print"'),
      record('Other', '_http._tcp', 80, '""'),
    ].join('\n');
    const found = parseAvahiBrowse(out);
    expect(found).toEqual([
      expect.objectContaining({ name: 'Office Printer', type: '_ipps._tcp', port: 631, uri: 'ipps://host.local:631/ipp/print', trustnoone: true }),
      expect.objectContaining({ name: 'Plain', type: '_ipp._tcp', uri: 'ipp://host.local:8631/ipp/print', trustnoone: false }),
    ]);
    expect(found[0]!.txt).toMatchObject({ tno: '1', tls: '1.2', note: '2nd floor' });
  });

  it('never throws on arbitrary output, and keeps only ipp(s) records with valid ports', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.string().map((s) => `=;${s}`), fc.tuple(fc.string(), fc.integer({ min: -5, max: 70000 }), fc.string()).map(([n, p, t]) => record(n, '_ipp._tcp', p, t)))), (lines) => {
        const found = parseAvahiBrowse(lines.join('\n'));
        expect(found.length).toBeLessThanOrEqual(1000);
        for (const p of found) {
          expect(p.uri).toMatch(/^ipps?:\/\//);
          expect(p.port).toBeGreaterThanOrEqual(1);
          expect(p.port).toBeLessThanOrEqual(65535);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('caps what a flood of records can make it hold', () => {
    const flood = Array.from({ length: 5000 }, (_, i) => record(`p${i}`, '_ipp._tcp', 631, '"tno=1"')).join('\n');
    expect(parseAvahiBrowse(flood)).toHaveLength(1000);
  });
});
