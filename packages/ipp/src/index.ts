export * from './model.js';
export { IppError } from './errors.js';
export type { IppErrorCode } from './errors.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { DecodeLimits, DecodeOptions } from './limits.js';
export { decodeMessage } from './decode.js';
export { encodeMessage, encodeHeader } from './encode.js';
export { freezeAttributes } from './frozen-attributes.js';
export { readIppMessage } from './stream.js';
export { SectionScanner } from './section-scanner.js';
export type { StreamedMessage } from './stream.js';
export {
  findAttribute,
  findGroup,
  findGroups,
  findMember,
  stringOf,
  integerOf,
  booleanOf,
  getString,
  getStrings,
  getInteger,
  getBoolean,
} from './access.js';
export { groupTagName, groupTagCode } from './tags.js';
export {
  operationName,
  operationCode,
  statusName,
  statusCode,
  enumName,
  enumValue,
  attributeSyntax,
  memberSyntax,
  registeredAttributes,
  isJobTemplatePrinterAttribute,
} from './registry/lookup.js';
export type { RegistryGroup } from './registry/lookup.js';
export { statusClass, isSuccessful, isClientErrorStatus, isErrorStatus } from './registry/status-class.js';
export type { StatusClass } from './registry/status-class.js';
export { parseSyntax, tagsOf } from './registry/syntax.js';
export type { AttributeSyntax, SyntaxAlternative, SyntaxType } from './registry/syntax.js';
export {
  keyword,
  uri,
  uriScheme,
  charset,
  naturalLanguage,
  mime,
  memberAttrName,
  name,
  text,
  integer,
  enumOf,
  boolean,
  octets,
  range,
  resolution,
  collection,
  noValue,
  unknown,
  unsupported,
  deleteAttribute,
  raw,
  dateTime,
  dateOf,
  isOutOfBand,
  attribute,
  oneArg,
} from './values.js';
export { request, response, MessageBuilder, attributesOf } from './builder.js';
export type { AttributeInput, AttributesInput, CollectionInput, MessageOptions } from './builder.js';
export { validateEnvelope, validateRequest, requestRefusal, responseStatus } from './validate.js';
export type { Violation, ViolationCode, ValidateOptions } from './validate.js';
export { operationTarget } from './validate-targets.js';
export type { Target } from './validate-targets.js';
export { validateOperation, unsupportedAttributes } from './operations/validate-operation.js';
export type { ValidateOperationOptions } from './operations/validate-operation.js';
export { OPERATION_RULES, operationRule } from './operations/required.js';
export type { OperationRule } from './operations/rule.js';
export { SINGLE_VALUED_OPERATION_ATTRIBUTES } from './operations/single-valued.js';
export { CLOSED_VALUES } from './operations/closed-values.js';
export type { ClosedValues } from './operations/closed-values.js';
export { messageToJson, messageFromJson } from './json.js';
export type { JsonMessage, JsonAttribute, JsonValue } from './json.js';
export type { JobTemplateInput, OperationInput, MediaColInput, MediaSizeInput } from './builder-types.js';
