# Names and icon paths that the window's target (src/app) and the installers
# (packaging/CMakeLists.txt) share. Only sets variables, so both may include it.

# Reverse-DNS id of the Linux desktop entry, AppStream component and icon,
# and the macOS bundle identifier. main.cpp passes the same string to
# QGuiApplication::setDesktopFileName().
set(TENOVOS_APP_ID "com.tenovos.Uploader")
set(TENOVOS_DISPLAY_NAME "Tenovos Uploader")
set(TENOVOS_VENDOR "Tenovos")

# The one icon source. Every raster icon is drawn from it at build time.
set(TENOVOS_ICON_SVG "${PROJECT_SOURCE_DIR}/resources/icons/tenovos-uploader.svg")
set(TENOVOS_ICON_BINARY_DIR "${PROJECT_BINARY_DIR}/icons")

# Linux: PNG sizes of the hicolor icon theme, beside the SVG in "scalable".
set(TENOVOS_HICOLOR_SIZES 16 24 32 48 64 128 256 512)
set(TENOVOS_HICOLOR_DIR "${TENOVOS_ICON_BINARY_DIR}/hicolor")

# Windows: the icon of the .exe, the installer and the uninstaller.
set(TENOVOS_ICO_FILE "${TENOVOS_ICON_BINARY_DIR}/tenovos-uploader.ico")

# macOS: iconutil builds the .icns file from an .iconset folder of PNGs.
set(TENOVOS_ICONSET_DIR "${TENOVOS_ICON_BINARY_DIR}/tenovos-uploader.iconset")
set(TENOVOS_ICNS_FILE "${TENOVOS_ICON_BINARY_DIR}/tenovos-uploader.icns")
