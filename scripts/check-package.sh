#!/usr/bin/env bash
# Builds the Debian package in a configured and built build folder and checks
# it as an installation would see it, unpacked into a temporary root. The
# installed programs must report the package version, the window must start
# offscreen and quit by itself (--check-start), and the executables must find
# Qt in the system and not in the build folder. The desktop entry, AppStream
# metadata and icons must be in place and valid.
#
# Usage: scripts/check-package.sh BUILD_DIR
# Needs: cpack, dpkg-deb and dpkg-shlibdeps (dpkg-dev), desktop-file-validate
# (desktop-file-utils), appstreamcli (appstream), readelf (binutils), file.
# scripts/setup-deps.sh installs them.
set -euo pipefail

app_id=com.tenovos.Uploader
hicolor_sizes=(16 24 32 48 64 128 256 512)

checks_passed=0
pass() {
    checks_passed=$((checks_passed + 1))
    echo "check-package: ok: $*"
}
fail() {
    echo "check-package: FAILED: $*" >&2
    exit 1
}

if [[ $# -ne 1 ]]; then
    echo "Usage: $0 BUILD_DIR (a configured and built CMake build folder)" >&2
    exit 2
fi
build_dir=$(cd "$1" 2>/dev/null && pwd) || fail "build folder $1 not found. Configure and build first."
[[ -f "$build_dir/CPackConfig.cmake" ]] \
    || fail "$build_dir has no CPackConfig.cmake. Configure it with CMake from the repository root first."

for tool in cpack dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli readelf file; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found. Run scripts/setup-deps.sh to install it."
done

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/tenovos-check-package.XXXXXX")
trap 'rm -rf "$work_dir"' EXIT

# --- Build the package ------------------------------------------------------

# The package goes into a folder of its own, so an older .deb in the build
# folder cannot be checked by mistake.
cpack_log="$work_dir/cpack.log"
if ! cpack -G DEB -B "$work_dir/out" --config "$build_dir/CPackConfig.cmake" >"$cpack_log" 2>&1; then
    cat "$cpack_log" >&2
    fail "cpack -G DEB failed; its output is above."
fi
shopt -s nullglob
debs=("$work_dir"/out/tenovos-uploader_*.deb)
shopt -u nullglob
[[ ${#debs[@]} -eq 1 ]] || fail "expected one tenovos-uploader_*.deb from cpack, found ${#debs[@]}."
deb=${debs[0]}
cp "$deb" "$build_dir/"
pass "built $(basename "$deb") (copied into $build_dir)"

version=$(dpkg-deb --field "$deb" Version)
depends=$(dpkg-deb --field "$deb" Depends)
# Package names without their version constraints, one a line.
depends_names=$(tr ',|' '\n' <<<"$depends" | sed -e 's/^ *//' -e 's/[ (].*//')
for library in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6svg6 libqt6keychain1; do
    grep -q -x -F "$library" <<<"$depends_names" \
        || fail "Depends lacks $library: \"$depends\". Check that CPACK_DEBIAN_PACKAGE_SHLIBDEPS is on and dpkg-shlibdeps ran."
done
pass "Depends names the Qt 6 and QtKeychain packages: $depends"

# --- Unpack and inspect the files -------------------------------------------

root="$work_dir/root"
dpkg-deb -x "$deb" "$root"

contents=$(dpkg-deb --contents "$deb")
if grep -q -E 'tenovos-sandbox|/tst_|bench-queue|tenovos-iconrender' <<<"$contents"; then
    fail "the package contains test or build-only files: $(grep -E 'tenovos-sandbox|/tst_|bench-queue|tenovos-iconrender' <<<"$contents" | awk '{print $NF}' | tr '\n' ' ')"
fi
pass "no test programs or build tools in the package"

for program in tenovos-uploader tenovos-upload; do
    binary="$root/usr/bin/$program"
    [[ -x "$binary" ]] || fail "usr/bin/$program is missing or not executable in the package."
    file "$binary" | grep -q 'ELF' || fail "usr/bin/$program is not an ELF executable: $(file -b "$binary")"
    # Debian packages carry no rpath, and one left from the build tree would
    # load the build's libraries instead of the system's.
    if readelf -d "$binary" | grep -q -E 'RPATH|RUNPATH'; then
        fail "usr/bin/$program keeps an rpath: $(readelf -d "$binary" | grep -E 'RPATH|RUNPATH'). Installed programs must load Qt from the system."
    fi
    missing=$(ldd "$binary" | grep 'not found' || true)
    [[ -z "$missing" ]] || fail "usr/bin/$program misses libraries: $missing. Install the package's Depends."
    if ldd "$binary" | grep -q -F "$build_dir"; then
        fail "usr/bin/$program loads libraries from the build folder $build_dir."
    fi
done
pass "both programs are executables without rpath whose libraries all resolve in the system"

# --- Run the installed programs ---------------------------------------------

# The programs write settings and logs, which stay out of the user's home.
export HOME="$work_dir/home" XDG_CONFIG_HOME="$work_dir/config" XDG_DATA_HOME="$work_dir/data"
export XDG_CACHE_HOME="$work_dir/cache" TENOVOS_DATA_DIR="$work_dir/tenovos-data"
mkdir -p "$HOME"
unset DISPLAY WAYLAND_DISPLAY

for program in tenovos-uploader tenovos-upload; do
    output=$("$root/usr/bin/$program" --version 2>&1) || fail "$program --version exited with $?: $output"
    [[ "$output" == *"$version"* ]] || fail "$program --version printed \"$output\", without the package version $version."
    pass "$program --version: $output"
done

# The window opens offscreen, checks its platform, icon and TLS plugins and
# quits by itself. timeout only guards against a hang.
if ! output=$(QT_QPA_PLATFORM=offscreen timeout 60 "$root/usr/bin/tenovos-uploader" --check-start 2>"$work_dir/check-start.err"); then
    cat "$work_dir/check-start.err" >&2
    fail "tenovos-uploader --check-start failed (output above): $output"
fi
[[ "$output" == *"start check passed"* ]] || fail "tenovos-uploader --check-start printed \"$output\" without \"start check passed\"."
pass "offscreen start: $output"

# --- Desktop integration files ----------------------------------------------

desktop_file="$root/usr/share/applications/$app_id.desktop"
metainfo_file="$root/usr/share/metainfo/$app_id.metainfo.xml"
[[ -f "$desktop_file" ]] || fail "usr/share/applications/$app_id.desktop is missing."
desktop-file-validate "$desktop_file" || fail "desktop-file-validate rejected $app_id.desktop (messages above)."
grep -q "^Icon=$app_id$" "$desktop_file" || fail "$app_id.desktop does not name the icon $app_id."
pass "desktop entry $app_id.desktop is valid"

[[ -f "$metainfo_file" ]] || fail "usr/share/metainfo/$app_id.metainfo.xml is missing."
appstreamcli validate --no-net "$metainfo_file" || fail "appstreamcli rejected $app_id.metainfo.xml (messages above)."
grep -q "<release version=\"$version\"" "$metainfo_file" \
    || fail "$app_id.metainfo.xml has no release entry for version $version. Add it to TENOVOS_RELEASES in packaging/CMakeLists.txt."
grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo_file" \
    || fail "$app_id.metainfo.xml does not launch $app_id.desktop."
pass "AppStream metadata $app_id.metainfo.xml is valid and lists version $version"

for size in "${hicolor_sizes[@]}"; do
    icon="$root/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
    [[ -f "$icon" ]] || fail "icon usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png is missing."
    file "$icon" | grep -q "PNG image data, $size x $size" \
        || fail "icon ${size}x${size}/apps/$app_id.png is not a $size x $size PNG: $(file -b "$icon")"
done
[[ -f "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg" ]] \
    || fail "icon usr/share/icons/hicolor/scalable/apps/$app_id.svg is missing."
pass "hicolor icons at ${hicolor_sizes[*]} pixels and scalable"

echo "check-package: $(basename "$deb") passed all $checks_passed checks"
