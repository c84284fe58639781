#!/usr/bin/env bash
# Runs CMD against a real but throwaway Secret Service: a private D-Bus session holding an
# unlocked gnome-keyring whose files live in a temporary HOME. The keychain tests use it so
# that keytar talks to the same daemon a Linux desktop has, without touching the user's keyring.
#   bash tests/with-keyring.sh npx vitest run -c tests/keychain/vitest.config.mts
# Needs the Debian packages gnome-keyring, dbus, dbus-x11 and libsecret-1-0.
# The "Failed to set fd limit" line printed by dbus-daemon in containers is harmless.
set -u

if [ $# -eq 0 ]; then
  echo "usage: tests/with-keyring.sh CMD [ARGS...]" >&2
  exit 2
fi

if [ "${B24TR_KEYRING_SESSION:-}" != "1" ]; then
  for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "with-keyring: $tool not found (apt-get install -y gnome-keyring dbus dbus-x11 libsecret-1-0)" >&2
      exit 127
    fi
  done
  tmp_home=$(mktemp -d)
  trap 'rm -rf "$tmp_home"' EXIT
  mkdir -m 700 "$tmp_home/run"
  # Every XDG path points into the temp HOME so the keyring files and any app data die with it.
  HOME="$tmp_home" \
  XDG_RUNTIME_DIR="$tmp_home/run" \
  XDG_DATA_HOME="$tmp_home/.local/share" \
  XDG_CONFIG_HOME="$tmp_home/.config" \
  XDG_CACHE_HOME="$tmp_home/.cache" \
  B24TR_KEYRING_SESSION=1 \
    dbus-run-session -- bash "$0" "$@"
  exit $?
fi

# Inside the private session bus. --unlock creates the login keyring with this password on first
# use; without --foreground the command returns only once the daemon owns the bus name.
keyring_env=$(printf pw | gnome-keyring-daemon --unlock --components=secrets) || {
  echo "with-keyring: gnome-keyring-daemon failed to start" >&2
  exit 1
}
while IFS= read -r line; do
  [ -n "$line" ] && export "${line?}"
done <<<"$keyring_env"

# The daemon forks away; ask the bus for its pid so it can be stopped by id afterwards.
keyring_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null \
  | awk '/uint32/ { print $2 }')

"$@"
rc=$?
if [ -n "$keyring_pid" ]; then
  kill "$keyring_pid" 2>/dev/null
fi
exit "$rc"
