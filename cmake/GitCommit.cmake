# Run at every build (cmake -P, from the flopscope_git_commit target): writes
# OUTPUT with the commit the sources are at, "-dirty" when tracked files
# differ from it. The file is rewritten only when that changes, so a build
# without a new commit recompiles nothing, and a result file never names a
# commit its binary was not built from (the configure-time commit did).
#   cmake -DSOURCE_DIR=... -DOUTPUT=... -P GitCommit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
# Sources unpacked inside another checkout (a packaging repository) would
# otherwise name that repository's commit.
execute_process(COMMAND git rev-parse --show-toplevel
                WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE top OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
get_filename_component(top "${top}" REALPATH)
get_filename_component(source "${SOURCE_DIR}" REALPATH)
if(NOT rc EQUAL 0 OR NOT commit OR NOT top STREQUAL source)
  set(commit "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no
                  WORKING_DIRECTORY "${SOURCE_DIR}"
                  OUTPUT_VARIABLE changes ERROR_QUIET)
  if(changes)
    string(APPEND commit "-dirty")
  endif()
endif()
set(text "// Generated at build time by cmake/GitCommit.cmake.\n#define FLOPSCOPE_GIT_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
