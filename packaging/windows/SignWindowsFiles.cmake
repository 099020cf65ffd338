# Signs Windows executables with signtool (Authenticode, SHA-256, with an
# RFC 3161 timestamp). packaging/CPackProjectConfig.cmake runs it in two
# ways when TENOVOS_WINDOWS_SIGN_CERT is set:
#
#   as a CPACK_PRE_BUILD_SCRIPTS entry: signs every .exe and .dll in the
#     staging folder that has no valid signature yet. That is the two
#     programs, and QtKeychain when it is a DLL, because the Qt and Microsoft
#     runtime DLLs come signed.
#   as cmake -DTENOVOS_SIGN_FILE=<file> -P SignWindowsFiles.cmake, which
#     makensis calls through !finalize and !uninstfinalize for the installer
#     and the uninstaller.
#
# Environment:
#   TENOVOS_WINDOWS_SIGN_CERT      a .pfx file, or the SHA-1 thumbprint (40 hex
#                                  digits) of a certificate in the current
#                                  user's certificate store
#   TENOVOS_WINDOWS_SIGN_PASSWORD  the .pfx file's password, if it has one
#   TENOVOS_WINDOWS_SIGN_TIMESTAMP_URL  the RFC 3161 timestamp server. It is
#                                  required, because a signature without a
#                                  timestamp becomes invalid when the
#                                  certificate expires.
#   TENOVOS_SIGNTOOL               signtool.exe, when it is not on PATH or in
#                                  the Windows 10 SDK
#
# NOTE: written from the signtool documentation and never run here, because
# the project's machines run Linux. The CI's Windows job runs it only when
# the signing secrets are set.

cmake_minimum_required(VERSION 3.21)

set(certificate "$ENV{TENOVOS_WINDOWS_SIGN_CERT}")
set(timestamp_url "$ENV{TENOVOS_WINDOWS_SIGN_TIMESTAMP_URL}")
if(certificate STREQUAL "")
    message(FATAL_ERROR "TENOVOS_WINDOWS_SIGN_CERT is not set. Set it to a .pfx file or a certificate "
                        "thumbprint, or unset every TENOVOS_WINDOWS_SIGN_* variable to build unsigned.")
endif()
if(timestamp_url STREQUAL "")
    message(FATAL_ERROR "TENOVOS_WINDOWS_SIGN_TIMESTAMP_URL is not set. Set it to your certificate "
                        "vendor's RFC 3161 timestamp server, so the signatures stay valid after the "
                        "certificate expires.")
endif()

if(NOT "$ENV{TENOVOS_SIGNTOOL}" STREQUAL "")
    set(signtool "$ENV{TENOVOS_SIGNTOOL}")
else()
    # The newest Windows 10/11 SDK's x64 signtool, unless one is on PATH.
    set(x86_suffix "(x86)")
    file(GLOB sdk_bin_dirs "$ENV{ProgramFiles${x86_suffix}}/Windows Kits/10/bin/10.*/x64")
    list(SORT sdk_bin_dirs COMPARE NATURAL ORDER DESCENDING)
    find_program(signtool signtool HINTS ${sdk_bin_dirs})
endif()
if(NOT signtool OR NOT EXISTS "${signtool}")
    message(FATAL_ERROR "signtool.exe was not found. Install the Windows SDK or set TENOVOS_SIGNTOOL to "
                        "the full path of signtool.exe.")
endif()

if(certificate MATCHES "^[0-9A-Fa-f]+$" AND NOT EXISTS "${certificate}")
    string(LENGTH "${certificate}" certificate_length)
    if(NOT certificate_length EQUAL 40)
        message(FATAL_ERROR "TENOVOS_WINDOWS_SIGN_CERT \"${certificate}\" is neither a file nor a SHA-1 "
                            "thumbprint of 40 hex digits.")
    endif()
    set(certificate_arguments /sha1 "${certificate}")
elseif(EXISTS "${certificate}")
    set(certificate_arguments /f "${certificate}")
    if(NOT "$ENV{TENOVOS_WINDOWS_SIGN_PASSWORD}" STREQUAL "")
        list(APPEND certificate_arguments /p "$ENV{TENOVOS_WINDOWS_SIGN_PASSWORD}")
    endif()
else()
    message(FATAL_ERROR "TENOVOS_WINDOWS_SIGN_CERT \"${certificate}\" is not found. Give the full path of "
                        "a .pfx file or a certificate's SHA-1 thumbprint.")
endif()

# Signs the files in one signtool call. The description is what Windows
# shows in the elevation prompt.
function(tenovos_sign files)
    execute_process(
        COMMAND "${signtool}" sign /fd sha256 /td sha256 /tr "${timestamp_url}" ${certificate_arguments}
                /d "${CPACK_NSIS_PACKAGE_NAME}" ${files}
        RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "signtool failed (${result}) to sign: ${files}. Its output above names the cause.")
    endif()
endfunction()

if(DEFINED TENOVOS_SIGN_FILE)
    if(NOT CPACK_NSIS_PACKAGE_NAME)
        set(CPACK_NSIS_PACKAGE_NAME "Tenovos Uploader")
    endif()
    file(TO_CMAKE_PATH "${TENOVOS_SIGN_FILE}" file_to_sign)
    message(STATUS "Signing ${file_to_sign}")
    tenovos_sign("${file_to_sign}")
    return()
endif()

# Run by cpack: CPACK_TEMPORARY_DIRECTORY is the staging folder.
file(GLOB_RECURSE candidates LIST_DIRECTORIES FALSE
     "${CPACK_TEMPORARY_DIRECTORY}/*.exe" "${CPACK_TEMPORARY_DIRECTORY}/*.dll")
set(unsigned)
foreach(candidate IN LISTS candidates)
    execute_process(COMMAND "${signtool}" verify /pa /q "${candidate}"
                    RESULT_VARIABLE verify_result OUTPUT_QUIET ERROR_QUIET)
    if(NOT verify_result EQUAL 0)
        list(APPEND unsigned "${candidate}")
    endif()
endforeach()
if(unsigned)
    list(LENGTH unsigned unsigned_count)
    message(STATUS "Signing ${unsigned_count} files without a valid signature in ${CPACK_TEMPORARY_DIRECTORY}")
    tenovos_sign("${unsigned}")
endif()
