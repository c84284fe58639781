// These tests write to the session's keychain. Outside tests/with-keyring.sh that would be the
// developer's real one, so refuse to run there.
if (process.env.B24TR_KEYRING_SESSION !== '1') {
  throw new Error('Keychain tests run only inside the throwaway keyring: bash tests/with-keyring.sh npx vitest run -c tests/keychain/vitest.config.mts')
}
