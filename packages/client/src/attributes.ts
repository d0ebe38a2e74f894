/**
 * Requested Job Template attributes: from plain values (or `-o name=value` strings) to typed IPP
 * attributes, checked against what the printer says it supports (RFC 8011 §5.2: each Job Template
 * attribute has a `<name>-supported` Printer attribute). The syntax of each value is taken from the
 * printer's own `-supported`/`-default` attributes, so vendor attributes work too.
 */
import { enumValue, type IppAttribute, type IppValue } from '@trustnoone/ipp';
import { ClientError } from './errors.js';
import type { PrinterInfo } from './printer-info.js';

export type Scalar = string | number | boolean | IppValue;
export type AttributeValue = Scalar | readonly Scalar[];
/** Job Template attributes by name, e.g. `{ copies: 2, sides: 'two-sided-long-edge', media: 'iso_a4_210x297mm' }`. */
export type JobAttributes = Readonly<Record<string, AttributeValue>>;

const MAX_VALUES = 64;

function isIppValue(x: unknown): x is IppValue {
  return typeof x === 'object' && x !== null && 'tag' in x;
}

/** The value tags a printer uses for `name`: from name-supported, then name-default. */
function hintTags(name: string, printer: PrinterInfo): Set<string> {
  const tags = new Set<string>();
  for (const a of [printer.attributes.get(`${name}-supported`), printer.attributes.get(`${name}-default`)]) {
    for (const v of a?.values ?? []) tags.add(v.tag);
  }
  return tags;
}

function bad(message: string): ClientError {
  return new ClientError('CLIENT_ATTRIBUTE_NOT_SUPPORTED', message);
}

function toValue(name: string, x: Scalar, hints: Set<string>): IppValue {
  if (isIppValue(x)) return x;
  if (typeof x === 'boolean') return { tag: 'boolean', value: x };
  if (typeof x === 'number') {
    if (!Number.isInteger(x) || x < -0x80000000 || x > 0x7fffffff) throw bad(`${name}=${x}: not a 32-bit integer`);
    return hints.has('enum') ? { tag: 'enum', value: x } : { tag: 'integer', value: x };
  }
  const s = x.trim();
  if (name === 'page-ranges') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (!m) throw bad(`page-ranges=${s}: expected N or N-M`);
    const lower = Number(m[1]);
    const upper = m[2] === undefined ? lower : Number(m[2]);
    if (lower < 1 || upper < lower) throw bad(`page-ranges=${s}: expected 1 <= N <= M`);
    return { tag: 'rangeOfInteger', value: { lower, upper } };
  }
  if (hints.has('enum')) {
    // Keywords of registered enums (print-quality=high, finishings=staple, ...) through the registry.
    const n = /^\d+$/.test(s) ? Number(s) : enumValue(name, s);
    if (n === undefined) throw bad(`${name}=${s}: give the enum's number (see '${name}-supported')`);
    return { tag: 'enum', value: n };
  }
  if (hints.has('integer') || hints.has('rangeOfInteger')) {
    if (!/^-?\d+$/.test(s)) throw bad(`${name}=${s}: expected an integer`);
    return toValue(name, Number(s), hints);
  }
  if (hints.has('boolean')) {
    if (s !== 'true' && s !== 'false') throw bad(`${name}=${s}: expected true or false`);
    return { tag: 'boolean', value: s === 'true' };
  }
  if (hints.has('resolution')) {
    const m = /^(\d+)(?:x(\d+))?(dpi|dpcm)$/.exec(s);
    if (!m) throw bad(`${name}=${s}: expected e.g. 600dpi or 600x300dpi`);
    return { tag: 'resolution', value: { x: Number(m[1]), y: Number(m[2] ?? m[1]), units: m[3] === 'dpi' ? 3 : 4 } };
  }
  if (hints.has('keyword') || !hints.has('nameWithoutLanguage')) return { tag: 'keyword', value: s };
  return { tag: 'nameWithoutLanguage', value: s };
}

function sameValue(a: IppValue, b: IppValue): boolean {
  if ('value' in a && 'value' in b && (typeof a.value === 'string' || typeof a.value === 'number' || typeof a.value === 'boolean')) {
    return a.value === b.value;
  }
  if (a.tag === 'resolution' && b.tag === 'resolution') return a.value.x === b.value.x && a.value.y === b.value.y && a.value.units === b.value.units;
  return false;
}

/** True when `value` is allowed by the values of `<name>-supported` (RFC 8011 §5.2 rules by syntax). */
function supports(supported: readonly IppValue[], value: IppValue): boolean {
  for (const s of supported) {
    if (s.tag === 'boolean' && value.tag !== 'boolean') {
      if (s.value) return true; // e.g. page-ranges-supported = true
      continue;
    }
    if (s.tag === 'rangeOfInteger') {
      if (value.tag === 'integer' && value.value >= s.value.lower && value.value <= s.value.upper) return true;
      if (value.tag === 'rangeOfInteger' && value.value.lower >= s.value.lower && value.value.upper <= s.value.upper) return true;
      continue;
    }
    if (value.tag === 'collection') return s.tag === 'keyword' || s.tag === 'collection'; // members listed by name (e.g. media-col-supported)
    if (sameValue(s, value)) return true;
    if ((s.tag === 'keyword' || s.tag === 'nameWithoutLanguage') && (value.tag === 'keyword' || value.tag === 'nameWithoutLanguage') && s.value === value.value) return true;
  }
  return false;
}

function display(v: IppValue): string {
  if (v.tag === 'rangeOfInteger') return `${v.value.lower}-${v.value.upper}`;
  if (v.tag === 'resolution') return `${v.value.x}x${v.value.y}${v.value.units === 3 ? 'dpi' : 'dpcm'}`;
  if ('value' in v && (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean')) return String(v.value);
  return v.tag;
}

/**
 * Converts requested Job Template attributes to IPP attributes and checks each against the
 * printer's `-supported` values. Throws CLIENT_ATTRIBUTE_NOT_SUPPORTED naming the attribute, the
 * value and what the printer supports.
 */
export function jobTemplateAttributes(requested: JobAttributes, printer: PrinterInfo): IppAttribute[] {
  const out: IppAttribute[] = [];
  for (const [name, raw] of Object.entries(requested)) {
    if (!/^[a-z][a-z0-9-]{0,254}$/.test(name)) throw bad(`'${name}' is not an IPP attribute name`);
    const supported = printer.attributes.get(`${name}-supported`);
    if (!supported) throw bad(`the printer does not support ${name} (it has no ${name}-supported)`);
    const list = (Array.isArray(raw) ? raw : [raw]) as readonly Scalar[];
    if (list.length === 0 || list.length > MAX_VALUES) throw bad(`${name}: give 1 to ${MAX_VALUES} values`);
    const hints = hintTags(name, printer);
    const values = list.map((x) => toValue(name, x, hints));
    for (const v of values) {
      if (!supports(supported.values, v)) {
        const choices = supported.values.slice(0, 12).map(display).join(', ');
        throw bad(`the printer does not support ${name}=${display(v)} (${name}-supported: ${choices}${supported.values.length > 12 ? ', ...' : ''})`);
      }
    }
    out.push({ name, values });
  }
  return out;
}

/** Parses `-o name=value` options (value lists comma-separated, as with lp -o). */
export function parseOptionStrings(options: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const o of options) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ClientError('CLIENT_BAD_INPUT', `-o ${o}: expected name=value`);
    const name = o.slice(0, eq).trim();
    const value = o.slice(eq + 1);
    out[name] = [...(out[name] ?? []), ...(name === 'page-ranges' ? value.split(',') : [value])];
  }
  return out;
}
