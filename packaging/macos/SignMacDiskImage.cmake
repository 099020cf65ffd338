# Signs the disk image that cpack built and, when a notarization profile is
# given, has Apple notarize it and staples the ticket to it, so Gatekeeper
# opens it without a network check. packaging/CPackProjectConfig.cmake adds
# it to CPACK_POST_BUILD_SCRIPTS when TENOVOS_MACOS_SIGN_IDENTITY is set, and
# SignMacBundle.cmake has signed the bundle inside already.
#
# Environment:
#   TENOVOS_MACOS_SIGN_IDENTITY    the "Developer ID Application" identity
#   TENOVOS_MACOS_KEYCHAIN         the keychain that holds the identity and
#                                  the notarization profile (optional)
#   TENOVOS_MACOS_NOTARY_PROFILE   a profile that `xcrun notarytool
#                                  store-credentials` saved. Without it the
#                                  image is signed but not notarized.
#
# NOTE: written from Apple's notarytool documentation and never run here,
# because the project's machines run Linux.

cmake_minimum_required(VERSION 3.21)

set(identity "$ENV{TENOVOS_MACOS_SIGN_IDENTITY}")
set(profile "$ENV{TENOVOS_MACOS_NOTARY_PROFILE}")
set(keychain_arguments)
if(NOT "$ENV{TENOVOS_MACOS_KEYCHAIN}" STREQUAL "")
    set(keychain_arguments --keychain "$ENV{TENOVOS_MACOS_KEYCHAIN}")
endif()

foreach(image IN LISTS CPACK_PACKAGE_FILES)
    if(NOT image MATCHES "\\.dmg$")
        continue()
    endif()

    message(STATUS "Signing ${image} as \"${identity}\"")
    execute_process(COMMAND codesign --force --timestamp --sign "${identity}" ${keychain_arguments} "${image}"
                    RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "codesign failed (${result}) on ${image}; its output above names the cause.")
    endif()

    if(profile STREQUAL "")
        message(STATUS "Not notarizing ${image}: TENOVOS_MACOS_NOTARY_PROFILE is not set.")
        continue()
    endif()

    # notarytool waits for Apple's verdict, and the image is only stapled
    # when the submission was accepted.
    message(STATUS "Submitting ${image} for notarization (profile ${profile}); this takes minutes")
    execute_process(
        COMMAND xcrun notarytool submit "${image}" --keychain-profile "${profile}" ${keychain_arguments} --wait
        OUTPUT_VARIABLE notary_output ERROR_VARIABLE notary_output RESULT_VARIABLE result)
    message(STATUS "${notary_output}")
    if(NOT result EQUAL 0 OR NOT notary_output MATCHES "status: Accepted")
        message(FATAL_ERROR "Notarization of ${image} was not accepted. Run `xcrun notarytool log <id> "
                            "--keychain-profile ${profile}` with the submission id above to see why.")
    endif()
    execute_process(COMMAND xcrun stapler staple "${image}" RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "stapler could not attach the notarization ticket to ${image}.")
    endif()
endforeach()
