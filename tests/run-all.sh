#!/usr/bin/env bash
# `npm test`: everything CI checks, in one D-Bus session with an unlocked throwaway keyring
# (the real keychain is part of the tests). Every stage runs even if an earlier one failed;
# the last line is the total: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -z "${B24TR_IN_KEYRING:-}" ]; then
  exec bash tests/with-keyring.sh env B24TR_IN_KEYRING=1 bash tests/run-all.sh "$@"
fi

results=".tmp/test-results"
rm -rf "$results"; mkdir -p "$results"
failed_stages=()

stage() {
  local name="$1"; shift
  echo
  echo "=== $name"
  if ! "$@"; then failed_stages+=("$name"); fi
}

vitest_stage() {
  local name="$1"; shift
  stage "$name" npx vitest run --reporter=default --reporter=json --outputFile="$results/$name.json" "$@"
}

stage typecheck npm run --silent typecheck
stage lint npm run --silent lint
stage build npm run --silent build
vitest_stage unit
vitest_stage keychain -c tests/keychain/vitest.config.mts
vitest_stage crash -c tests/crash/vitest.config.mts
vitest_stage cli -c tests/cli/vitest.config.mts
vitest_stage packaging -c tests/packaging/vitest.config.mts
# The e2e runner (tsx script driving Chromium) ends with its own "N passed, N failed" line.
stage e2e bash -c 'set -o pipefail; E2E_SKIP_BUILD=1 npx tsx tests/e2e/run.ts | tee "$0"' "$results/e2e.log"

node -e '
const fs = require("fs"), path = require("path");
let passed = 0, failed = 0;
for (const f of fs.readdirSync(process.argv[1])) {
  const text = fs.readFileSync(path.join(process.argv[1], f), "utf8");
  if (f.endsWith(".json")) {
    const r = JSON.parse(text);
    passed += r.numPassedTests; failed += r.numFailedTests;
  } else if (f.endsWith(".log")) {
    const m = [...text.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
    if (m) { passed += Number(m[1]); failed += Number(m[2]); }
  }
}
fs.writeFileSync(path.join(process.argv[1], "total.txt"), passed + " " + failed);
' "$results"
read -r passed failed < "$results/total.txt"
echo
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "failed stages: ${failed_stages[*]}"
  [ "$failed" -gt 0 ] || failed=${#failed_stages[@]}
fi
echo "$passed passed, $failed failed"
[ ${#failed_stages[@]} -eq 0 ]
