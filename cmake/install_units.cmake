# Install-time part of the systemd units (install(SCRIPT) from CMakeLists.txt, which sets
# NODENET_UNIT_TEMPLATES, NODENET_UNIT_DIR, NODENET_BINDIR and NODENET_UNIT_STAGING first). It runs
# during `cmake --install`, where CMAKE_INSTALL_PREFIX is the prefix of this installation, so that
# ExecStart= names the binary where it is installed now. file(INSTALL) honours DESTDIR and records
# the files in install_manifest.txt, as install(FILES) does.
if(IS_ABSOLUTE "${NODENET_BINDIR}")
  set(bindir "${NODENET_BINDIR}")
else()
  set(bindir "${CMAKE_INSTALL_PREFIX}/${NODENET_BINDIR}")
endif()
cmake_path(SET NODENET_BINARY NORMALIZE "${bindir}/nodenet")
if(IS_ABSOLUTE "${NODENET_UNIT_DIR}")
  set(unit_dir "${NODENET_UNIT_DIR}")
else()
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/${NODENET_UNIT_DIR}")
endif()
cmake_path(SET unit_dir NORMALIZE "${unit_dir}")

set(units)
foreach(template IN LISTS NODENET_UNIT_TEMPLATES)
  get_filename_component(name "${template}" NAME)
  string(REGEX REPLACE "\\.in$" "" name "${name}")
  configure_file("${template}" "${NODENET_UNIT_STAGING}/${name}" @ONLY)
  list(APPEND units "${NODENET_UNIT_STAGING}/${name}")
endforeach()
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES ${units})
