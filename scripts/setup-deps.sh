#!/usr/bin/env bash
# Installs the packages needed to build, test, package and run the uploader
# on Debian or Ubuntu. Installs only what is missing, so a second run is quick.
# The last line of the list is for scripts/check-package.sh: dpkg-shlibdeps
# (dpkg-dev), desktop-file-validate, appstreamcli and file.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config ccache
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools
    qt6-l10n-tools qt6-svg-dev qtkeychain-qt6-dev libgl1-mesa-dev
    libxkbcommon-dev
    xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools
    curl procps
    dpkg-dev desktop-file-utils appstream file
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-deps: this script installs packages with apt on Debian or Ubuntu." >&2
    echo "setup-deps: on other systems install Qt 6.4 or newer (Core, Network, Widgets, Test, Svg, LinguistTools)," >&2
    echo "setup-deps: QtKeychain for Qt 6, CMake 3.21 or newer and a C++20 compiler, then run the build yourself." >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup-deps: all build dependencies are installed."
    exit 0
fi

echo "setup-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup-deps: run as root or install sudo; missing packages: ${missing[*]}" >&2
        exit 1
    fi
    sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
