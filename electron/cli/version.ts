// Reported by --version and in the User-Agent of the CLI's requests.
export const CLI_VERSION = '0.1.0'
