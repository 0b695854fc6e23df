# Runs the written-once check of cmake/FlopscopeGpuKernels.cmake on a list of
# device files, so tests can show it passes the real list and fails one that
# breaks the rule:
#   cmake -DFLOPSCOPE_SOURCE=<repo> [-DEXTRA=<file>] [-DDROP=<file>] -P check_gpu_sources.cmake
cmake_minimum_required(VERSION 3.25)  # script mode: the policies of the build
set(CMAKE_SOURCE_DIR "${FLOPSCOPE_SOURCE}")
include("${FLOPSCOPE_SOURCE}/cmake/FlopscopeGpuKernels.cmake")
set(sources ${FLOPSCOPE_GPU_SHARED_KERNELS} "${FLOPSCOPE_SOURCE}/kernels/peak/cuda/peak_mma.cu")
if(DEFINED EXTRA)
  list(APPEND sources "${FLOPSCOPE_SOURCE}/${EXTRA}")
endif()
if(DEFINED DROP)
  list(REMOVE_ITEM sources "${FLOPSCOPE_SOURCE}/${DROP}")
endif()
flopscope_check_gpu_sources(backend "${sources}")
message(STATUS "written once: ok")
