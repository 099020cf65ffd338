# Read by cpack once for each generator (CPACK_PROJECT_CONFIG_FILE). Adds the
# signing steps when their environment variables are set. Without them
# nothing is signed and the installers build as usual. docs/installing.md
# lists the variables.

function(tenovos_environment_is_set name result)
    if(DEFINED ENV{${name}} AND NOT "$ENV{${name}}" STREQUAL "")
        set(${result} TRUE PARENT_SCOPE)
    else()
        set(${result} FALSE PARENT_SCOPE)
    endif()
endfunction()

if(CPACK_GENERATOR STREQUAL "NSIS")
    tenovos_environment_is_set(TENOVOS_WINDOWS_SIGN_CERT sign_windows)
    if(sign_windows)
        set(sign_script "${CPACK_TENOVOS_PACKAGING_DIR}/windows/SignWindowsFiles.cmake")
        # The programs and libraries in the staging folder, before NSIS
        # packs them.
        list(APPEND CPACK_PRE_BUILD_SCRIPTS "${sign_script}")
        # The installer and the uninstaller, which makensis writes: it runs
        # the command through the system shell with %1 replaced by the file.
        set(sign_command "\"${CPACK_TENOVOS_CMAKE_COMMAND}\" \"-DTENOVOS_SIGN_FILE=%1\" -P \"${sign_script}\"")
        if(CPACK_TENOVOS_HOST_WINDOWS)
            # cmd.exe drops the first and the last quote of a command that
            # starts with a quote, so the whole command gets one more pair.
            set(sign_command "\"${sign_command}\"")
        endif()
        set(CPACK_TENOVOS_NSIS_SIGNING "!finalize '${sign_command}' = 0\n!uninstfinalize '${sign_command}' = 0")
    else()
        set(CPACK_TENOVOS_NSIS_SIGNING "; Not signed: TENOVOS_WINDOWS_SIGN_CERT was not set.")
    endif()
elseif(CPACK_GENERATOR STREQUAL "DragNDrop")
    tenovos_environment_is_set(TENOVOS_MACOS_SIGN_IDENTITY sign_macos)
    if(sign_macos)
        # The bundle before hdiutil builds the disk image, then the disk
        # image itself, with notarization when a profile is given.
        list(APPEND CPACK_PRE_BUILD_SCRIPTS "${CPACK_TENOVOS_PACKAGING_DIR}/macos/SignMacBundle.cmake")
        list(APPEND CPACK_POST_BUILD_SCRIPTS "${CPACK_TENOVOS_PACKAGING_DIR}/macos/SignMacDiskImage.cmake")
    endif()
endif()
