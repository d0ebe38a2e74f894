/**
 * Whether a server advertises itself when not told: only when it listens on an address other hosts
 * can reach. Advertising a loopback-only listener would send the network a service nobody on it
 * could connect to.
 */
export function advertisedByDefault(listenHost: string): boolean {
  const host = listenHost.replace(/^\[|\]$/g, '').toLowerCase();
  return !(host === 'localhost' || host === '::1' || /^127\./.test(host) || /^::ffff:127\./.test(host));
}
