#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring Secret Service, so QtKeychain reaches a real keychain
# without touching the user's own. Usage: scripts/with-keyring.sh CMD [ARG...]
set -euo pipefail

if [[ -z "${TENOVOS_IN_KEYRING_SESSION:-}" ]]; then
    state_dir=$(mktemp -d "${TMPDIR:-/tmp}/tenovos-keyring.XXXXXX")
    trap 'rm -rf "$state_dir"' EXIT
    mkdir -m 700 -p "$state_dir/data" "$state_dir/runtime"
    export XDG_DATA_HOME="$state_dir/data" XDG_RUNTIME_DIR="$state_dir/runtime"
    export TENOVOS_IN_KEYRING_SESSION=1
    # dbus-run-session ends the bus, and with it the keyring daemon, when
    # the command exits.
    dbus-run-session -- "$0" "$@"
    exit $?
fi

# A fixed password unlocks the throw-away login keyring in $XDG_DATA_HOME.
eval "$(printf 'tenovos-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
keyring_pid=${GNOME_KEYRING_PID:-}
status=0
"$@" || status=$?
if [[ -n "$keyring_pid" ]]; then
    kill "$keyring_pid" 2>/dev/null || true
fi
exit "$status"
