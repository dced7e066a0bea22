# Writes nodenet.8 with help2man from `nodenet --help`, `nodenet --version` and, in a COMMANDS
# section, the --help of every command the program lists (so a new command documents itself), plus
# the hand-written sections of cmake/nodenet.h2m. Run by the build (CMakeLists.txt):
#   cmake -DNODENET=path -DHELP2MAN=path -DINCLUDE=nodenet.h2m -DOUTPUT=nodenet.8 -P man_page.cmake
execute_process(COMMAND "${NODENET}" --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NODENET} --help failed (${rc})")
endif()

# roff: a backslash is written \e, and a line starting with . or ' needs \& in front.
function(roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(commands)
set(in_commands FALSE)
string(REPLACE "\n" ";" lines "${help}")
foreach(line IN LISTS lines)
  if(line MATCHES "^Subcommands:")
    set(in_commands TRUE)
  elseif(in_commands AND line MATCHES "^  ([a-z][a-z0-9-]*) ")
    list(APPEND commands "${CMAKE_MATCH_1}")
  elseif(in_commands AND NOT line MATCHES "^ ")
    set(in_commands FALSE)
  endif()
endforeach()
if(NOT commands)
  message(FATAL_ERROR "no commands found in `${NODENET} --help`")
endif()

get_filename_component(dir "${OUTPUT}" DIRECTORY)
set(include_file "${dir}/nodenet.commands.h2m")
file(READ "${INCLUDE}" sections)
set(text "[COMMANDS]\n")
foreach(command IN LISTS commands)
  execute_process(COMMAND "${NODENET}" ${command} --help OUTPUT_VARIABLE command_help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NODENET} ${command} --help failed (${rc})")
  endif()
  roff_escape("${command_help}" command_help)
  string(APPEND text ".SS ${command}\n.nf\n${command_help}.fi\n")
endforeach()
file(WRITE "${include_file}" "${text}\n${sections}")

execute_process(
  COMMAND "${HELP2MAN}" --no-info --no-discard-stderr --section=8
          "--name=machine network configurator for Linux fleets (Talos machine configs)"
          "--include=${include_file}" "--output=${OUTPUT}.tmp" "${NODENET}"
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc}): ${err}")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
