import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, messageFromJson, messageToJson, validateRequest } from '@trustnoone/ipp';
import { OWN_VECTORS } from './own-vectors.js';
import { firstDifference } from './helpers.js';

const DIR = new URL('../../../vectors/ipp/', import.meta.url).pathname;

describe('vectors/ipp/ours: our encoder output, checked in with its JSON', () => {
  for (const [name, make] of Object.entries(OWN_VECTORS)) {
    it(`${name}: the file is what the builder encodes, and its JSON decodes to it`, () => {
      const bin = readFileSync(join(DIR, 'ours', `${name}.bin`));
      expect(firstDifference(encodeMessage(make()), bin)).toBe(-1);
      const json = JSON.parse(readFileSync(join(DIR, 'ours', `${name}.json`), 'utf8')) as unknown;
      expect(json).toEqual(JSON.parse(JSON.stringify(messageToJson(decodeMessage(bin)))));
      expect(firstDifference(encodeMessage(messageFromJson(json)), bin)).toBe(-1);
      if (name.endsWith('.req')) expect(validateRequest(decodeMessage(bin))).toEqual([]);
    });
  }
});

describe('vectors/ipp/captures: copies of the shared captures with their JSON', () => {
  const bins = readdirSync(join(DIR, 'captures')).filter((f) => f.endsWith('.bin'));
  it('holds all eight captures', () => expect(bins).toHaveLength(8));
  for (const f of bins) {
    it(`${f}: JSON → bytes is byte-identical`, () => {
      const bin = readFileSync(join(DIR, 'captures', f));
      const json = JSON.parse(readFileSync(join(DIR, 'captures', f.replace(/\.bin$/, '.json')), 'utf8')) as unknown;
      expect(firstDifference(encodeMessage(messageFromJson(json)), bin)).toBe(-1);
    });
  }
});
