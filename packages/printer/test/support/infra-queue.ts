/**
 * Pull-mode fixtures: an Infrastructure Printer (our intermediary with INFRA on loopback) with
 * password accounts, and Proxies connecting printers to it. Accounts use cheap scrypt parameters:
 * every request authenticates, and the default cost per request would dominate a loaded CI machine.
 */
import { join } from 'node:path';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '@trustnoone/intermediary';
import { startProxy, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';

export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `accounts`: name → password; `deviceUsers`: the accounts that may act as output devices. */
export async function startInfraQueue(root: string, accounts: Readonly<Record<string, string>>, deviceUsers: readonly string[]): Promise<RunningIntermediary> {
  const users = new Map<string, UserEntry>();
  for (const [name, pw] of Object.entries(accounts)) users.set(name, { name, role: 'user', hash: await hashPassword(pw, { N: 1024, r: 8, p: 1 }) });
  return startIntermediary({
    stateDir: join(root, 'intermediary'),
    upstreams: [],
    infra: { deviceUsers: [...deviceUsers], maxNotifyWaitMs: 2000, encryptedAttributesTimeoutMs: 10_000 },
    users,
    // Cleartext device credentials on loopback (never set by tno): the Proxy tests built on this
    // queue check the pull protocol; the Proxy over ipps with a pinned queue is proxy-e2e-tls.test.ts.
    allowLoopbackCleartextAuth: true,
    port: 0,
    announce: () => {},
    handleSignals: false,
    printerAttributesTtlMs: 0,
  });
}

/** Starts a Proxy for `printer` on the queue and waits until it has registered. */
export async function connectProxy(printer: PrinterHandle, queue: RunningIntermediary, user: string, password: string): Promise<RunningProxy> {
  const proxy = await startProxy(printer, { url: queue.uri, auth: { user, password }, retryInitialMs: 50, retryMaxMs: 500 });
  await waitUntil(() => proxy.connected, `the proxy of ${user} to connect`);
  return proxy;
}
