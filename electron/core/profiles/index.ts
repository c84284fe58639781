// Public face of portal profiles: non-secret JSON + the keychain, combined by profile-service.ts.
export { createProfileService, parsePortalUrl, parseWebhookUrl, ProfileError, publicView } from './profile-service'
export type { PastedTokens, ProfileService } from './profile-service'
export { createProfileStore, ProfileStoreError } from './profile-store'
export type { ProfileStore, StoredProfile } from './profile-store'
export { createKeytarSecretStore, KEYCHAIN_SERVICE, SecretStoreError } from './secret-store'
export type { SecretStore } from './secret-store'
