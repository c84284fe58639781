// Entry of the `b24-triggers` bundle (out/main/cli.js, started by bin/b24-triggers.js). Plain Node.
import { main } from './main'

void main(process.argv.slice(2)).then((code) => {
  // Let buffered output reach a pipe before leaving; open handles (keep-alive sockets, the
  // keychain's D-Bus connection) must not keep a finished command alive.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
})
