/**
 * Requests in progress per client, so one client (one address, or one account once authenticated)
 * cannot hold every upload slot a server has: past its share it is turned away at once and
 * everyone else is still served. Counted from admission until the response is closed.
 */
export class ClientSlots {
  private readonly inUse = new Map<string, number>();

  constructor(readonly perClient: number) {
    if (!(Number.isInteger(perClient) && perClient >= 1)) throw new RangeError(`maxRequestsPerClient must be a positive integer, got ${perClient}`);
  }

  /** Takes a slot for `client`; returns its release (idempotent), or undefined when the share is used up. */
  acquire(client: string): (() => void) | undefined {
    const n = this.inUse.get(client) ?? 0;
    if (n >= this.perClient) return undefined;
    this.inUse.set(client, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inUse.get(client) ?? 1) - 1;
      if (left <= 0) this.inUse.delete(client);
      else this.inUse.set(client, left);
    };
  }

  /** Slots held by `client` now. */
  held(client: string): number {
    return this.inUse.get(client) ?? 0;
  }
}

/**
 * Who counts as one client: the authenticated account when there is one, else the address — an
 * IPv6 client by its /64, since one host is routinely handed a whole /64 to pick addresses from.
 */
export function clientKey(user: string | undefined, address: string): string {
  if (user !== undefined) return `user:${user}`;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return `ip:${v4[1]}`;
  if (!address.includes(':')) return `ip:${address}`;
  return `ip6:${ipv6Prefix64(address)}`;
}

function ipv6Prefix64(address: string): string {
  const bare = address.split('%')[0]!.toLowerCase();
  const [head, tail] = bare.includes('::') ? bare.split('::') as [string, string] : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}
