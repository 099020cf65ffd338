#!/usr/bin/env bash
# Installs what is missing, configures, builds, runs the whole test suite and
# checks the Debian package (scripts/check-package.sh).
# Usage: scripts/test.sh   (build folder: $TENOVOS_BUILD_DIR, default ./build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${TENOVOS_BUILD_DIR:-$root/build}

"$root/scripts/setup-deps.sh"

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" --parallel

# Widgets tests draw offscreen; keychain tests reach a throw-away
# gnome-keyring through a private D-Bus session.
export QT_QPA_PLATFORM=offscreen
cd "$build_dir"
ctest_log=$(mktemp "${TMPDIR:-/tmp}/tenovos-ctest.XXXXXX")
trap 'rm -f "$ctest_log"' EXIT
"$root/scripts/with-keyring.sh" ctest --output-on-failure --timeout 900 --parallel 2 | tee "$ctest_log"

# The Debian package: built, unpacked into a temporary root and started.
"$root/scripts/check-package.sh" "$build_dir"

# CTest's summary closes the output, as readers and CI expect.
grep -E '^[0-9]+% tests passed' "$ctest_log" | tail -n 1
