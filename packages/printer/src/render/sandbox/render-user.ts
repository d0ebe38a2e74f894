/**
 * The unprivileged account renderers run as when the printer runs as root (issue 12 item 9,
 * docs/decisions.md D15): `nobody` unless configured. Looked up in /etc/passwd (the printer runs on
 * Linux when it runs as root with a sandbox; no NSS modules are needed for a local system account).
 */
import { readFileSync } from 'node:fs';

export interface RenderUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export const DEFAULT_RENDER_USER = 'nobody';

/** Resolves a user name, or a numeric uid (its primary gid from passwd, else the same number). */
export function lookupRenderUser(spec: string, passwdText?: string): RenderUser {
  if (typeof spec !== 'string' || spec === '') throw new TypeError('render user must be a non-empty user name or uid');
  let text = passwdText;
  if (text === undefined) {
    try {
      text = readFileSync('/etc/passwd', 'utf8');
    } catch {
      text = '';
    }
  }
  const numeric = /^\d+$/.test(spec) ? Number(spec) : undefined;
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === undefined || uid === undefined || gid === undefined || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    if (name === spec || Number(uid) === numeric) return { name, uid: Number(uid), gid: Number(gid) };
  }
  if (numeric !== undefined && Number.isSafeInteger(numeric)) return { name: spec, uid: numeric, gid: numeric };
  throw new RangeError(`render user ${JSON.stringify(spec)} is not in /etc/passwd (create it, or name an existing unprivileged account or uid)`);
}
