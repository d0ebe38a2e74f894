/**
 * Per-operation request checks (RFC 8011 §4.1.5, §4.1.7, §4.2-4.3 and the documents named in
 * required.ts): the operation target, the REQUIRED operation attributes, single-valued operation
 * attributes, paired lists, required groups and closed value lists. The envelope (version,
 * request-id, group order, charset/language) is validateEnvelope's; value syntaxes are
 * validateRequest's. Operations without a rule pass: the Printer answers
 * server-error-operation-not-supported for those itself, and vendor operations keep working.
 *
 * One pass over the operation group builds a name index; every rule is then a lookup, so the time
 * is linear in the request whatever it holds.
 */
import { GroupTag, IppStatus } from '../model.js';
import type { IppAttribute, IppMessage, IppValue } from '../model.js';
import { operationName } from '../registry/lookup.js';
import type { Violation } from '../validate.js';
import { CLOSED_VALUES } from './closed-values.js';
import { operationRule } from './required.js';
import type { OperationRule } from './rule.js';
import { SINGLE_VALUED_OPERATION_ATTRIBUTES } from './single-valued.js';

const OUT_OF_BAND = new Set<string>(['unsupported', 'default', 'unknown', 'noValue', 'notSettable', 'deleteAttribute', 'adminDefine']);
const CLOSED = CLOSED_VALUES.map((c) => ({ ...c, allowed: new Set(c.values), codes: new Set(c.operations) }));

export interface ValidateOperationOptions {
  /**
   * Values the Printer supports for the closed-list operation attributes (closed-values.ts), by
   * attribute name, e.g. its which-jobs-supported. Default: every value the specifications define.
   */
  readonly supportedValues?: Readonly<Record<string, readonly string[]>>;
}

export function validateOperation(message: IppMessage, options: ValidateOperationOptions = {}): Violation[] {
  const rule = operationRule(message.code);
  if (rule === undefined) return [];
  const out: Violation[] = [];
  const op = operationName(message.code);
  const operation = indexOperationGroup(message);
  const usable = (name: string): boolean => hasUsableValue(operation.get(name));

  checkTarget(rule, op, usable, out);

  for (const name of rule.required ?? []) {
    if (!usable(name)) out.push(missing(name, `${op} needs ${name} in the operation group (${rule.source})`));
  }

  for (const [a, b] of rule.paired ?? []) {
    const first = operation.get(a);
    const second = operation.get(b);
    if (usable(a) !== usable(b)) {
      const absent = usable(a) ? b : a;
      out.push(missing(absent, `${op}: ${a} and ${b} go together, one value each per job (${rule.source}); add ${absent} or drop ${absent === a ? b : a}`));
    } else if (first !== undefined && second !== undefined && first.values.length !== second.values.length) {
      out.push({
        code: 'unpaired-values',
        status: IppStatus.clientErrorBadRequest,
        message: `${op}: ${a} has ${first.values.length} values but ${b} has ${second.values.length}; they must correspond one to one (${rule.source})`,
        group: GroupTag.operation,
        attribute: b,
      });
    }
  }

  if (rule.requiredGroup !== undefined && !message.groups.some((g) => g.tag === rule.requiredGroup && g.attributes.length > 0)) {
    out.push({
      code: 'missing-group',
      status: IppStatus.clientErrorBadRequest,
      message: `${op} needs a group 0x${rule.requiredGroup.toString(16).padStart(2, '0')} with the attributes to set (${rule.source})`,
      group: rule.requiredGroup,
    });
  }

  for (const attribute of operation.values()) {
    if (SINGLE_VALUED_OPERATION_ATTRIBUTES.has(attribute.name) && attribute.values.length > 1) {
      out.push({
        code: 'not-single-valued',
        status: IppStatus.clientErrorBadRequest,
        message: `${attribute.name}: ${attribute.values.length} values where ${op} takes exactly one; send a single value`,
        group: GroupTag.operation,
        attribute: attribute.name,
      });
    }
  }

  for (const closed of CLOSED) {
    if (!closed.codes.has(message.code)) continue;
    const attribute = operation.get(closed.attribute);
    if (attribute === undefined) continue;
    const supported = options.supportedValues?.[closed.attribute];
    const allowed = supported === undefined ? closed.allowed : new Set(supported);
    const refused = attribute.values.filter((v) => v.tag === 'keyword' && !allowed.has(v.value));
    if (refused.length === 0) continue;
    out.push({
      code: 'value-not-supported',
      status: closed.status,
      message: `${closed.attribute}: ${refused.map((v) => `'${(v as { value: string }).value}'`).join(', ')} not supported by ${op}; use one of ${[...allowed].join(', ')} (${closed.source})`,
      group: GroupTag.operation,
      attribute: closed.attribute,
      echo: { name: closed.attribute, values: refused },
    });
  }
  return out;
}

/**
 * The Unsupported Attributes group a Printer returns with these findings (RFC 8011 §4.1.7): each
 * attribute once, with the values it refused (each once), in the order first found.
 */
export function unsupportedAttributes(violations: readonly Violation[]): IppAttribute[] {
  // Two findings may echo the same value (a single-valued attribute with a bad second value):
  // values are the request's own objects, so identity tells repeats apart from equal values.
  const merged = new Map<string, { values: IppValue[]; seen: Set<IppValue> }>();
  for (const v of violations) {
    if (v.echo === undefined) continue;
    const entry = merged.get(v.echo.name) ?? { values: [], seen: new Set<IppValue>() };
    for (const value of v.echo.values) {
      if (entry.seen.has(value)) continue;
      entry.seen.add(value);
      entry.values.push(value);
    }
    merged.set(v.echo.name, entry);
  }
  return [...merged].map(([name, { values }]) => ({ name, values }));
}

function checkTarget(rule: OperationRule, op: string, usable: (name: string) => boolean, out: Violation[]): void {
  const target = (attribute: string, need: string): void =>
    void out.push({ code: 'missing-target', status: IppStatus.clientErrorBadRequest, message: `${op} needs ${need} in the operation group to name its target (RFC 8011 §4.1.5, ${rule.source})`, group: GroupTag.operation, attribute });
  switch (rule.target) {
    case 'printer':
      if (!usable('printer-uri')) target('printer-uri', 'printer-uri');
      return;
    case 'system':
      if (!usable('system-uri')) target('system-uri', 'system-uri');
      return;
    case 'printer-or-system':
      if (!usable('printer-uri') && !usable('system-uri')) target('printer-uri', 'printer-uri or system-uri');
      return;
    case 'job':
      if (usable('job-uri') || (usable('printer-uri') && usable('job-id'))) return;
      // Name what completes the form the client started; with neither, the one-attribute form.
      if (usable('printer-uri')) target('job-id', 'job-id with printer-uri (or job-uri alone)');
      else if (usable('job-id')) target('printer-uri', 'printer-uri with job-id (or job-uri alone)');
      else target('job-uri', 'job-uri, or printer-uri and job-id');
      return;
  }
}

function missing(attribute: string, message: string): Violation {
  return { code: 'missing-attribute', status: IppStatus.clientErrorBadRequest, message, group: GroupTag.operation, attribute };
}

/** The operation group's attributes by name, first occurrence kept (a repeat is validateRequest's finding). */
function indexOperationGroup(message: IppMessage): Map<string, IppAttribute> {
  const index = new Map<string, IppAttribute>();
  const group = message.groups.find((g) => g.tag === GroupTag.operation);
  for (const attribute of group?.attributes ?? []) if (!index.has(attribute.name)) index.set(attribute.name, attribute);
  return index;
}

/** An attribute whose only values are out-of-band (no-value, unknown, ...) names nothing. */
function hasUsableValue(attribute: IppAttribute | undefined): boolean {
  return attribute !== undefined && attribute.values.some((v) => !OUT_OF_BAND.has(v.tag));
}
