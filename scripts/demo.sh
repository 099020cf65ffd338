#!/usr/bin/env bash
# Starts a local Tenovos sandbox with its demo data and the uploader window
# signed in to it, with the demo security and metadata templates chosen.
# A first run needs no account and no secret: drop a file on the window and
# press Upload. Closing the window stops the sandbox and deletes what it
# stored.
#
# Usage: scripts/demo.sh [UPLOADER OPTION | FILE | FOLDER...]
#   Arguments go to tenovos-uploader, for example files to queue, or --start
#   to upload them at once. Build folder: $TENOVOS_BUILD_DIR, default ./build.
#   Without a display, run it as: xvfb-run -a scripts/demo.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${TENOVOS_BUILD_DIR:-$root/build}

# Demo data of the sandbox (tests/sandbox/democatalog.cpp, sandboxconfig.h).
demo_api_key=sandbox-demo-key
demo_username=demo@example.com
demo_password=demo-password
marketing_internal_template=969b726b-b60f-4996-af26-36c90b3af636
marketing_asset_template=14b9034b-068f-47a4-bfbf-6d994dcd574f

if [[ "$(uname -s)" != Darwin && -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    echo "demo: no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the window cannot open." >&2
    echo "demo: run it inside a virtual X server instead: xvfb-run -a scripts/demo.sh" >&2
    exit 1
fi

"$root/scripts/setup-deps.sh"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" --parallel --target tenovos-sandbox tenovos-uploader

sandbox=$build_dir/tests/sandbox/tenovos-sandbox
uploader=$build_dir/src/app/tenovos-uploader
if [[ -x "$uploader.app/Contents/MacOS/tenovos-uploader" ]]; then
    uploader=$uploader.app/Contents/MacOS/tenovos-uploader
fi

state_dir=$(mktemp -d "${TMPDIR:-/tmp}/tenovos-demo.XXXXXX")
sandbox_pid=""
drain_pid=""
cleanup() {
    if [[ -n "$sandbox_pid" ]] && kill -0 "$sandbox_pid" 2>/dev/null; then
        kill -TERM "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
    fi
    if [[ -n "$drain_pid" ]]; then
        wait "$drain_pid" 2>/dev/null || true
    fi
    rm -rf "$state_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The sandbox prints its base URL as the first line on stdout. Reading it
# through a FIFO waits exactly as long as the start takes.
mkdir "$state_dir/data"
mkfifo "$state_dir/sandbox.stdout"
"$sandbox" --port 0 --data-dir "$state_dir/data" >"$state_dir/sandbox.stdout" 2>"$state_dir/sandbox.log" &
sandbox_pid=$!
exec 3<"$state_dir/sandbox.stdout"
if ! IFS= read -r -t 30 base_url <&3 || [[ -z "$base_url" ]]; then
    echo "demo: the sandbox did not report its URL within 30 seconds. Its log:" >&2
    cat "$state_dir/sandbox.log" >&2 || true
    exit 1
fi
# Keep reading the sandbox's stdout, so a write to it cannot block on a full
# pipe. The reader (cat) ends at end of file, when the sandbox exits.
cat <&3 >/dev/null &
drain_pid=$!
exec 3<&-
echo "demo: sandbox running at $base_url (PID $sandbox_pid); its request log: $state_dir/sandbox.log"

# A settings folder of its own, so the demo's sandbox URL does not become the
# default of a real sign-in later (QSettings reads XDG_CONFIG_HOME on Linux).
export XDG_CONFIG_HOME="$state_dir/config"

# A throw-away, unlocked keychain of its own (a private D-Bus session with
# gnome-keyring), so the demo neither asks to unlock the login keyring nor
# leaves the journal's key or a saved sign-in in it.
status=0
TENOVOS_PASSWORD=$demo_password "$root/scripts/with-keyring.sh" "$uploader" \
    --api-url "$base_url" \
    --api-key "$demo_api_key" \
    --username "$demo_username" \
    --security-template "$marketing_internal_template" \
    --metadata-template "$marketing_asset_template" \
    --meta "Title=Demo upload" \
    --meta "Region=EMEA" \
    "$@" || status=$?
exit "$status"
