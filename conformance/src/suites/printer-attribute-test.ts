/**
 * One declarative test per Printer Description attribute (RFC 8011 §5.4, PWG 5100.14 §5.2): the
 * attribute is in the printer group of Get-Printer-Attributes with the syntax the specification
 * gives, plus whatever `extra` adds (a value it must contain, a range). The RFC 8011 and IPP
 * Everywhere suites list their attributes with it, so a report reads like each table.
 */
import { expectAttribute } from '../expect.js';
import { defineTest, type Level, type TestDefinition } from '../model.js';
import { BOTH } from './shared.js';

export type AttributeExpectation = (e: ReturnType<typeof expectAttribute>) => void;

export interface PrinterAttributeTest {
  /** The suite's id, prefixed to the attribute name to make the test's id. */
  readonly suite: string;
  readonly name: string;
  /** The syntax as the specification writes it, e.g. '1setOf keyword' or 'integer(1:MAX)'. */
  readonly syntax: string;
  readonly section: string;
  readonly level?: Level;
  readonly extra?: AttributeExpectation;
}

export function printerAttributeTest(spec: PrinterAttributeTest): TestDefinition {
  return defineTest({
    id: `${spec.suite}.${spec.name}`,
    title: `${spec.name} is ${spec.syntax}`,
    level: spec.level ?? 'REQUIRED',
    section: spec.section,
    roles: BOTH,
    requires: ['ipp'],
    async run(t) {
      const e = expectAttribute(spec.name).inGroup('printer').ofSyntax(spec.syntax);
      spec.extra?.(e);
      e.in(await t.printerAttributes());
    },
  });
}
