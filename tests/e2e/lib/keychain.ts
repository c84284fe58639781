// The keychain service the e2e tests store profiles under: run outside with-keyring.sh by
// mistake, the tests still never touch the app's own items.
export const E2E_KEYCHAIN_SERVICE = 'b24-trigger-runner-e2e'
