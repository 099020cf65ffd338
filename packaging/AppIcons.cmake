# Draws the platform's application icons from TENOVOS_ICON_SVG at build time
# with tenovos-iconrender (packaging/iconrender, Qt SVG only) and attaches them
# to the window's executable. src/app/CMakeLists.txt includes this file once.
#
#   tenovos_add_app_icon(<target>)
#     Windows: compiles the .ico and the version into the .exe resources.
#     macOS:   copies the .icns into the bundle's Resources folder.
#     Linux:   nothing, because packaging/CMakeLists.txt installs the hicolor icons.

include(${CMAKE_CURRENT_LIST_DIR}/AppIdentity.cmake)

find_package(Qt6 6.4 REQUIRED COMPONENTS Gui Svg)

add_executable(tenovos-iconrender ${CMAKE_CURRENT_LIST_DIR}/iconrender/main.cpp)
target_link_libraries(tenovos-iconrender PRIVATE Qt6::Gui Qt6::Svg)

set(_tenovos_icon_outputs)
set(_tenovos_icon_arguments)
set(_tenovos_icon_post_commands)
if(WIN32)
    list(APPEND _tenovos_icon_outputs "${TENOVOS_ICO_FILE}")
    list(APPEND _tenovos_icon_arguments --ico "${TENOVOS_ICO_FILE}")
elseif(APPLE)
    find_program(TENOVOS_ICONUTIL iconutil REQUIRED)
    list(APPEND _tenovos_icon_outputs "${TENOVOS_ICNS_FILE}")
    list(APPEND _tenovos_icon_arguments --iconset "${TENOVOS_ICONSET_DIR}")
    set(_tenovos_icon_post_commands
        COMMAND "${TENOVOS_ICONUTIL}" --convert icns --output "${TENOVOS_ICNS_FILE}" "${TENOVOS_ICONSET_DIR}")
else()
    foreach(size IN LISTS TENOVOS_HICOLOR_SIZES)
        set(png "${TENOVOS_HICOLOR_DIR}/${size}x${size}/apps/${TENOVOS_APP_ID}.png")
        list(APPEND _tenovos_icon_outputs "${png}")
        list(APPEND _tenovos_icon_arguments --png "${size}=${png}")
    endforeach()
endif()

add_custom_command(
    OUTPUT ${_tenovos_icon_outputs}
    COMMAND tenovos-iconrender "${TENOVOS_ICON_SVG}" ${_tenovos_icon_arguments}
    ${_tenovos_icon_post_commands}
    DEPENDS tenovos-iconrender "${TENOVOS_ICON_SVG}"
    COMMENT "Drawing the application icons from resources/icons/tenovos-uploader.svg"
    VERBATIM)
# The custom target alone drives the command, and targets that need the
# icons depend on it. Listing the outputs in several targets could run the
# command twice at once.
add_custom_target(tenovos-icons ALL DEPENDS ${_tenovos_icon_outputs})

function(tenovos_add_app_icon target)
    add_dependencies(${target} tenovos-icons)
    if(WIN32)
        set(rc_file "${CMAKE_CURRENT_BINARY_DIR}/${target}.rc")
        configure_file("${PROJECT_SOURCE_DIR}/packaging/windows/tenovos-uploader.rc.in" "${rc_file}" @ONLY)
        target_sources(${target} PRIVATE "${rc_file}")
        set_source_files_properties("${rc_file}" PROPERTIES OBJECT_DEPENDS "${TENOVOS_ICO_FILE}")
    elseif(APPLE)
        get_filename_component(icns_name "${TENOVOS_ICNS_FILE}" NAME)
        set_target_properties(${target} PROPERTIES MACOSX_BUNDLE_ICON_FILE "${icns_name}")
        add_custom_command(TARGET ${target} POST_BUILD
            COMMAND "${CMAKE_COMMAND}" -E make_directory "$<TARGET_BUNDLE_CONTENT_DIR:${target}>/Resources"
            COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${TENOVOS_ICNS_FILE}"
                    "$<TARGET_BUNDLE_CONTENT_DIR:${target}>/Resources/${icns_name}"
            VERBATIM)
    endif()
endfunction()
