/**
 * @noble/post-quantum's ML-KEM and ML-DSA modules, loaded on first use. Each costs ~6 MiB of
 * resident memory and ~25 ms of start-up once imported, and a job sealed to a P-256, P-384, RSA or
 * X25519 printer never touches them; importing them eagerly put ~12 MiB on every `tno smime` run.
 *
 * The callers are synchronous (key constructors, certificate chain checks, signature checks), so
 * the modules are loaded with require(), which loads an ES module synchronously on node ≥ 20.19
 * — the version @noble/post-quantum itself requires (docs/decisions.md D35).
 */
import { createRequire } from 'node:module';

type MlKemModule = typeof import('@noble/post-quantum/ml-kem.js');
type MlDsaModule = typeof import('@noble/post-quantum/ml-dsa.js');

const load = createRequire(import.meta.url);
let mlKem: MlKemModule | undefined;
let mlDsa: MlDsaModule | undefined;

export function mlKemModule(): MlKemModule {
  return (mlKem ??= load('@noble/post-quantum/ml-kem.js') as MlKemModule);
}

export function mlDsaModule(): MlDsaModule {
  return (mlDsa ??= load('@noble/post-quantum/ml-dsa.js') as MlDsaModule);
}

/** Whether either module has been loaded (tests: a classical job must not load them). */
export const postQuantumLoaded = (): { mlKem: boolean; mlDsa: boolean } => ({ mlKem: mlKem !== undefined, mlDsa: mlDsa !== undefined });
