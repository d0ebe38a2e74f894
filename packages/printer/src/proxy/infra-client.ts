/**
 * The Proxy's side of the wire: INFRA requests (PWG 5100.18) to the Infrastructure Printer, each
 * naming this device's output-device-uuid, over @trustnoone/ipp-http with the device's credentials.
 */
import type { Readable } from 'node:stream';
import { isSuccessful, operationName, request, type IppAttribute, type IppGroup, type IppMessage, type IppValue } from '@trustnoone/ipp';
import { ippRequest, type CredentialSource, type IppTlsOptions, type HttpCredentials } from '@trustnoone/ipp-http/client';

export interface InfraConnection {
  /** The Infrastructure Printer's printer-uri (the queue), e.g. ipps://relay.example/ipp/print. */
  readonly printerUri: string;
  /** Its System object (Register-Output-Device); default: the printer URI's path replaced by /ipp/system. */
  readonly systemUri: string;
  readonly deviceUuid: string;
  readonly auth?: HttpCredentials | CredentialSource;
  readonly tls?: IppTlsOptions;
  /** Per exchange (a long poll needs more than the server's notify-wait hold). */
  readonly timeoutMs: number;
}

export interface InfraAnswer {
  readonly status: number;
  readonly message: IppMessage;
  readonly data: Readable;
}

/** The Infrastructure Printer refused a request: the IPP status says why. */
export class InfraStatusError extends Error {
  constructor(
    readonly status: number,
    readonly operation: string,
    statusMessage: string | undefined,
  ) {
    super(`${operation}: status 0x${status.toString(16).padStart(4, '0')}${statusMessage ? ` (${statusMessage})` : ''}`);
  }
}

let nextId = 1;

export const v = {
  integer: (name: string, ...values: number[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'integer' as const, value })) }),
  enum: (name: string, ...values: number[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'enum' as const, value })) }),
  keyword: (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'keyword' as const, value })) }),
  uri: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'uri', value }] }),
  boolean: (name: string, value: boolean): IppAttribute => ({ name, values: [{ tag: 'boolean', value }] }),
  text: (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'textWithoutLanguage' as const, value })) }),
  name: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'nameWithoutLanguage', value }] }),
  values: (name: string, values: readonly IppValue[]): IppAttribute => ({ name, values }),
};

export function build(code: number, uri: string, deviceUuid: string, ops: readonly IppAttribute[], groups: readonly IppGroup[] = [], system?: string): IppMessage {
  const requestId = nextId;
  nextId = nextId >= 0x7fffffff ? 1 : nextId + 1;
  const message = request(code, { requestId })
    .operation([
      // System operations (PWG 5100.22) target system-uri; printer-uri then names the queue served.
      ...(system ? [v.uri('system-uri', uri), v.uri('printer-uri', system)] : [v.uri('printer-uri', uri)]),
      v.uri('output-device-uuid', deviceUuid),
      ...ops,
    ])
    .build();
  return { ...message, groups: [...message.groups, ...groups] };
}

/** One exchange; the answer's data must be consumed or destroyed by the caller. */
export async function exchange(
  c: InfraConnection,
  code: number,
  ops: readonly IppAttribute[],
  options: { groups?: readonly IppGroup[]; data?: Readable | Uint8Array; signal?: AbortSignal; system?: boolean; timeoutMs?: number } = {},
): Promise<InfraAnswer> {
  const uri = options.system ? c.systemUri : c.printerUri;
  const name = operationName(code);
  let res;
  try {
    res = await ippRequest(uri, build(code, uri, c.deviceUuid, ops, options.groups ?? [], options.system ? c.printerUri : undefined), {
      ...(options.data ? { data: options.data } : {}),
      ...(c.auth ? { auth: c.auth } : {}),
      ...(c.tls ? { tls: c.tls } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: options.timeoutMs ?? c.timeoutMs,
    });
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
  }
  return { status: res.message.code, message: res.message, data: res.data };
}

/** Like exchange, but a non-successful status throws and the (unused) data is drained. */
export async function call(c: InfraConnection, code: number, ops: readonly IppAttribute[], options: Parameters<typeof exchange>[3] = {}): Promise<IppMessage> {
  const a = await exchange(c, code, ops, options);
  a.data.on('error', () => {}).resume();
  if (!isSuccessful(a.status)) throw new InfraStatusError(a.status, operationName(code), statusMessage(a.message));
  return a.message;
}

export function statusMessage(m: IppMessage): string | undefined {
  const a = m.groups[0]?.attributes.find((x) => x.name === 'status-message');
  const val = a?.values[0];
  return val && 'value' in val && typeof val.value === 'string' ? val.value : undefined;
}

export function first(m: IppMessage, tag: number, name: string): IppValue | undefined {
  for (const g of m.groups) if (g.tag === tag) for (const a of g.attributes) if (a.name === name) return a.values[0];
  return undefined;
}

export function int(m: IppMessage, tag: number, name: string): number | undefined {
  const x = first(m, tag, name);
  return x && (x.tag === 'integer' || x.tag === 'enum') ? x.value : undefined;
}

export function str(m: IppMessage, tag: number, name: string): string | undefined {
  const x = first(m, tag, name);
  return x && 'value' in x && typeof x.value === 'string' ? x.value : undefined;
}
