#!/usr/bin/env bash
# Installs what is missing, configures, builds and runs the whole test suite.
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
"$root/scripts/with-keyring.sh" ctest --output-on-failure --timeout 900 --parallel 2
