# Signs the app bundle in cpack's staging folder with codesign, after
# macdeployqt has copied Qt into it and before hdiutil builds the disk image.
# packaging/CPackProjectConfig.cmake adds it to CPACK_PRE_BUILD_SCRIPTS when
# TENOVOS_MACOS_SIGN_IDENTITY is set.
#
# Environment:
#   TENOVOS_MACOS_SIGN_IDENTITY  the signing identity, such as
#                                "Developer ID Application: Example Ltd (TEAMID1234)"
#   TENOVOS_MACOS_KEYCHAIN       the keychain that holds it, when not the
#                                default search list (CI imports it into one)
#
# Every piece is signed from the inside out with the hardened runtime and a
# secure timestamp, which notarization requires: libraries and plugins,
# frameworks, tenovos-upload, then the bundle.
#
# NOTE: written from Apple's codesign documentation and never run here,
# because the project's machines run Linux. The CI's macOS job runs it only
# when the signing secrets are set.

cmake_minimum_required(VERSION 3.21)

set(identity "$ENV{TENOVOS_MACOS_SIGN_IDENTITY}")
if(identity STREQUAL "")
    message(FATAL_ERROR "TENOVOS_MACOS_SIGN_IDENTITY is not set. Set it to a \"Developer ID Application\" "
                        "identity, or unset it to build an unsigned disk image.")
endif()
set(keychain_arguments)
if(NOT "$ENV{TENOVOS_MACOS_KEYCHAIN}" STREQUAL "")
    set(keychain_arguments --keychain "$ENV{TENOVOS_MACOS_KEYCHAIN}")
endif()

file(GLOB bundles LIST_DIRECTORIES TRUE "${CPACK_TEMPORARY_DIRECTORY}/*.app")
if(NOT bundles)
    message(FATAL_ERROR "No .app bundle in the staging folder ${CPACK_TEMPORARY_DIRECTORY}; nothing to sign.")
endif()

function(tenovos_codesign path)
    execute_process(
        COMMAND codesign --force --timestamp --options runtime --sign "${identity}" ${keychain_arguments} "${path}"
        RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "codesign failed (${result}) on ${path}. Its output above names the cause; "
                            "`security find-identity -v -p codesigning` lists the usable identities.")
    endif()
endfunction()

foreach(bundle IN LISTS bundles)
    message(STATUS "Signing ${bundle} as \"${identity}\"")
    file(GLOB_RECURSE libraries LIST_DIRECTORIES FALSE
         "${bundle}/Contents/PlugIns/*.dylib" "${bundle}/Contents/Frameworks/*.dylib")
    foreach(library IN LISTS libraries)
        # A framework's binary is signed with its framework below.
        if(NOT library MATCHES "\\.framework/")
            tenovos_codesign("${library}")
        endif()
    endforeach()

    file(GLOB frameworks LIST_DIRECTORIES TRUE "${bundle}/Contents/Frameworks/*.framework")
    foreach(framework IN LISTS frameworks)
        tenovos_codesign("${framework}")
    endforeach()

    file(GLOB executables LIST_DIRECTORIES FALSE "${bundle}/Contents/MacOS/*")
    get_filename_component(bundle_name "${bundle}" NAME_WE)
    foreach(executable IN LISTS executables)
        # The bundle's main executable is signed with the bundle.
        get_filename_component(executable_name "${executable}" NAME)
        if(NOT executable_name STREQUAL bundle_name)
            tenovos_codesign("${executable}")
        endif()
    endforeach()

    tenovos_codesign("${bundle}")
    execute_process(COMMAND codesign --verify --deep --strict --verbose=2 "${bundle}" RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "The signature of ${bundle} does not verify; codesign's output above says which part.")
    endif()
endforeach()
