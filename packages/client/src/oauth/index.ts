export { signIn, signOut, refreshSignIn, savedSignInCredentials, DEFAULT_CLIENT_ID, type SignInOptions } from './sign-in.js';
export { TokenStore, type SavedSignIn } from './token-store.js';
export type { DevicePrompt } from './device-grant.js';
export { advertisedScope, bearerChallengeScope, type ScopeSource } from './printer-scope.js';
