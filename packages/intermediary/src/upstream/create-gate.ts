/**
 * Per upstream, Create-Jobs in progress (shared) versus a search for orphaned Create-Jobs
 * (exclusive). A job of ours whose Create-Job has been answered upstream but not yet recorded in the
 * spool looks exactly like an orphan of a crash; the search must not run while one could exist in
 * this process, or it would cancel a healthy job. Searches are rare (only after a crash or a lost
 * answer), so making Create-Jobs wait for one costs nothing in normal operation.
 */
export class CreateGate {
  private readonly gates = new Map<string, { shared: number; exclusive: Promise<void> | undefined; wake: Array<() => void> }>();

  /** Runs `fn` alongside other shared holders, after any exclusive holder is done. */
  async shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const g = this.gate(key);
    while (g.exclusive) await g.exclusive;
    g.shared++;
    try {
      return await fn();
    } finally {
      g.shared--;
      if (g.shared === 0) for (const w of g.wake.splice(0)) w();
    }
  }

  /** Runs `fn` alone: new shared holders wait, and it starts once the current ones are done. */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const g = this.gate(key);
    while (g.exclusive) await g.exclusive;
    let done!: () => void;
    g.exclusive = new Promise<void>((r) => (done = r));
    try {
      while (g.shared > 0) await new Promise<void>((r) => g.wake.push(r));
      return await fn();
    } finally {
      g.exclusive = undefined;
      done();
    }
  }

  private gate(key: string) {
    let g = this.gates.get(key);
    if (!g) this.gates.set(key, (g = { shared: 0, exclusive: undefined, wake: [] }));
    return g;
  }
}
