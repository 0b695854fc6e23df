# Resolves FLOPSCOPE_ENABLE_HIP (AUTO, ON, OFF) into FLOPSCOPE_HIP_ENABLED and
# provides flopscope_hip_sources(), which compiles HIP files with hipcc.
#
# HIP files go through hipcc by hand rather than enable_language(HIP): CMake
# 3.25's HIP support looks for a ROCm tree (/opt/rocm, hip-lang-config) that
# Debian's packages (hipcc, libamdhip64-dev: ROCm 5.2, clang 15) do not have.
# The objects hipcc makes (host code plus an embedded device code object per
# architecture) link into an ordinary C++ library with libamdhip64.
set(FLOPSCOPE_HIP_ENABLED OFF)
string(TOUPPER "${FLOPSCOPE_ENABLE_HIP}" _flopscope_hip_mode)
if(NOT _flopscope_hip_mode MATCHES "^(AUTO|ON|OFF|TRUE|FALSE|YES|NO|1|0)$")
  message(FATAL_ERROR "FLOPSCOPE_ENABLE_HIP must be AUTO, ON or OFF, not '${FLOPSCOPE_ENABLE_HIP}'")
endif()

if(NOT _flopscope_hip_mode MATCHES "^(OFF|FALSE|NO|0)$")
  find_program(FLOPSCOPE_HIPCC hipcc PATHS /opt/rocm/bin NO_CACHE)
  find_path(FLOPSCOPE_HIP_INCLUDE_DIR hip/hip_runtime_api.h PATHS /opt/rocm/include NO_CACHE)
  find_library(FLOPSCOPE_AMDHIP64 amdhip64 PATHS /opt/rocm/lib NO_CACHE)
  set(_missing "")
  foreach(v FLOPSCOPE_HIPCC FLOPSCOPE_HIP_INCLUDE_DIR FLOPSCOPE_AMDHIP64)
    if(NOT ${v})
      list(APPEND _missing ${v})
    endif()
  endforeach()
  if(_missing)
    if(_flopscope_hip_mode STREQUAL "AUTO")
      message(STATUS "flopscope: HIP backend off (not found: ${_missing}; "
                     "Debian: apt install hipcc libamdhip64-dev)")
    else()
      message(FATAL_ERROR "FLOPSCOPE_ENABLE_HIP=ON but ${_missing} not found "
                          "(Debian: apt install hipcc libamdhip64-dev; ROCm: /opt/rocm)")
    endif()
  else()
    set(FLOPSCOPE_HIP_ENABLED ON)
  endif()
endif()

if(FLOPSCOPE_HIP_ENABLED)
  file(STRINGS "${FLOPSCOPE_HIP_INCLUDE_DIR}/hip/hip_version.h" _hip_version_lines
       REGEX "#define HIP_VERSION_(MAJOR|MINOR) ")
  string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1.\\2" FLOPSCOPE_HIP_VERSION
         "${_hip_version_lines}")

  # hipcc (clang) leaves two empty folders named after the source in TMPDIR
  # on every compile: they go into the build folder, not /tmp.
  set(FLOPSCOPE_HIPCC_TMPDIR "${CMAKE_BINARY_DIR}/hipcc-tmp")
  file(MAKE_DIRECTORY "${FLOPSCOPE_HIPCC_TMPDIR}")
  set(FLOPSCOPE_HIPCC_RUN "${CMAKE_COMMAND}" -E env "TMPDIR=${FLOPSCOPE_HIPCC_TMPDIR}"
                          "${FLOPSCOPE_HIPCC}")

  # Targets: every one of these the compiler knows (a ROCm 5.2 compiler knows
  # neither gfx942 nor gfx950), so that CI compiles the CDNA2 (MFMA) and RDNA2
  # (no matrix units) paths at least. Override with -DFLOPSCOPE_HIP_ARCHITECTURES.
  if(NOT FLOPSCOPE_HIP_ARCHITECTURES)
    set(_probe "${CMAKE_BINARY_DIR}/hip-probe.hip")
    file(WRITE "${_probe}" "__global__ void flopscope_probe() {}\n")
    set(_known "")
    foreach(arch gfx908 gfx90a gfx942 gfx950 gfx1030 gfx1100)
      execute_process(COMMAND ${FLOPSCOPE_HIPCC_RUN} -x hip --offload-arch=${arch} --cuda-device-only
                              -c "${_probe}" -o "${CMAKE_BINARY_DIR}/hip-probe-${arch}.o"
                      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
      if(rc EQUAL 0)
        list(APPEND _known ${arch})
      endif()
    endforeach()
    set(FLOPSCOPE_HIP_ARCHITECTURES "${_known}" CACHE STRING "AMD GPU targets for hipcc")
  endif()
  if(NOT FLOPSCOPE_HIP_ARCHITECTURES)
    message(FATAL_ERROR "hipcc (${FLOPSCOPE_HIPCC}) compiles for none of gfx908, gfx90a, gfx942, "
                        "gfx950, gfx1030, gfx1100")
  endif()

  # rocBLAS / rocFFT headers for the library adapters (the libraries
  # themselves are loaded at run time). Looked for in ROCm, the system, and
  # where scripts/fetch-rocm-dev.sh unpacks Debian 13's -dev packages
  # (FLOPSCOPE_FETCH_ROCM_DEV=ON runs it, for a compile-only check in CI).
  option(FLOPSCOPE_FETCH_ROCM_DEV "Fetch rocBLAS/rocFFT headers from Debian 13 for the adapters" OFF)
  set(_rocm_dev "${CMAKE_BINARY_DIR}/_rocm-dev")
  if(FLOPSCOPE_FETCH_ROCM_DEV AND NOT EXISTS "${_rocm_dev}/root/.complete")
    execute_process(COMMAND "${CMAKE_SOURCE_DIR}/scripts/fetch-rocm-dev.sh" "${_rocm_dev}"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(WARNING "flopscope: could not fetch the rocBLAS/rocFFT headers; adapters not built")
    endif()
  endif()
  set(_rocm_hints /opt/rocm/include "${_rocm_dev}/root/usr/include")
  find_path(FLOPSCOPE_ROCBLAS_INCLUDE_DIR rocblas/rocblas.h PATHS ${_rocm_hints} NO_CACHE)
  find_path(FLOPSCOPE_ROCFFT_INCLUDE_DIR rocfft/rocfft.h PATHS ${_rocm_hints} NO_CACHE)

  message(STATUS "flopscope: HIP backend on (HIP ${FLOPSCOPE_HIP_VERSION}, ${FLOPSCOPE_HIPCC}, "
                 "architectures ${FLOPSCOPE_HIP_ARCHITECTURES}; rocBLAS headers: "
                 "${FLOPSCOPE_ROCBLAS_INCLUDE_DIR}; rocFFT headers: ${FLOPSCOPE_ROCFFT_INCLUDE_DIR})")
endif()

# Compiles HIP `sources` with hipcc into objects of `target` (a C++ library)
# and records them in its FLOPSCOPE_HIP_SOURCES property. Header dependencies
# come from hipcc's depfile.
function(flopscope_hip_sources target)
  set(flags -x hip -std=c++20 -O3 -fPIC -fvisibility=hidden -DNDEBUG -DFLOPSCOPE_GPU_HIP
            -Wall -Wextra -Wno-unknown-pragmas -I${CMAKE_SOURCE_DIR})
  if(FLOPSCOPE_WARNINGS_AS_ERRORS)
    list(APPEND flags -Werror)
  endif()
  foreach(arch IN LISTS FLOPSCOPE_HIP_ARCHITECTURES)
    list(APPEND flags --offload-arch=${arch})
  endforeach()
  get_target_property(json_dirs nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
  foreach(d IN LISTS json_dirs)
    # A system folder given again with -isystem breaks libstdc++'s
    # #include_next <math.h>; only other folders are passed.
    if(NOT d IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES AND NOT d STREQUAL "/usr/include")
      list(APPEND flags -isystem ${d})
    endif()
  endforeach()
  get_target_property(recorded ${target} FLOPSCOPE_HIP_SOURCES)
  if(NOT recorded)
    set(recorded "")
  endif()
  foreach(src IN LISTS ARGN)
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    cmake_path(RELATIVE_PATH src BASE_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE rel)
    set(obj "${CMAKE_CURRENT_BINARY_DIR}/hip/${rel}.o")
    cmake_path(GET obj PARENT_PATH obj_dir)
    file(MAKE_DIRECTORY "${obj_dir}")
    add_custom_command(
      OUTPUT "${obj}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${FLOPSCOPE_HIPCC_TMPDIR}"
      COMMAND ${FLOPSCOPE_HIPCC_RUN} ${flags} -MD -MF "${obj}.d" -c "${src}" -o "${obj}"
      DEPENDS "${src}"
      DEPFILE "${obj}.d"
      COMMENT "hipcc ${rel}"
      VERBATIM)
    target_sources(${target} PRIVATE "${obj}")
    list(APPEND recorded "${src}")
  endforeach()
  set_target_properties(${target} PROPERTIES FLOPSCOPE_HIP_SOURCES "${recorded}")
endfunction()
