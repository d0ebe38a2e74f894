/** The printer's fault-injection spec (TNO_PRINTER_FAULT): what it accepts, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { printerFaultsFromSpec } from '@trustnoone/printer';

describe('TNO_PRINTER_FAULT', () => {
  it('signals on the Nth pass of the named point, with the named signal', () => {
    const got: string[] = [];
    const hook = printerFaultsFromSpec('receive.kept@2:SIGTERM', (s) => got.push(s));
    hook.hit('receive.kept');
    hook.hit('render.done');
    expect(got).toEqual([]);
    hook.hit('receive.kept');
    expect(got).toEqual(['SIGTERM']);
    const kill: string[] = [];
    printerFaultsFromSpec('render.started', (s) => kill.push(s)).hit('render.started');
    expect(kill).toEqual(['SIGKILL']);
  });

  it('is a no-op when unset, and refuses unknown points, N < 1 and other signals', () => {
    expect(() => printerFaultsFromSpec(undefined).hit('receive.kept')).not.toThrow();
    for (const bad of ['nowhere', 'receive.kept@0', 'receive.kept:SIGINT', 'receive.kept@x']) {
      expect(() => printerFaultsFromSpec(bad), bad).toThrow(RangeError);
    }
  });
});
