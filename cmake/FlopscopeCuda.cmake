# Resolves FLOPSCOPE_ENABLE_CUDA (AUTO, ON, OFF) into FLOPSCOPE_CUDA_ENABLED and
# enables the CUDA language and toolkit when it is on. AUTO enables CUDA
# wherever nvcc is found (PATH, then /usr/local/cuda/bin), so CI compiles every
# CUDA file on any machine that can.
set(FLOPSCOPE_CUDA_ENABLED OFF)
string(TOUPPER "${FLOPSCOPE_ENABLE_CUDA}" _flopscope_cuda_mode)
if(NOT _flopscope_cuda_mode MATCHES "^(AUTO|ON|OFF|TRUE|FALSE|YES|NO|1|0)$")
  message(FATAL_ERROR "FLOPSCOPE_ENABLE_CUDA must be AUTO, ON or OFF, not '${FLOPSCOPE_ENABLE_CUDA}'")
endif()
if(NOT _flopscope_cuda_mode MATCHES "^(OFF|FALSE|NO|0)$")
  if(NOT CMAKE_CUDA_COMPILER)
    find_program(FLOPSCOPE_NVCC nvcc PATHS /usr/local/cuda/bin NO_CACHE)
    if(FLOPSCOPE_NVCC)
      set(CMAKE_CUDA_COMPILER "${FLOPSCOPE_NVCC}")
    endif()
  endif()
  if(CMAKE_CUDA_COMPILER)
    # sm_80 and sm_90 machine code plus sm_90 PTX for later GPUs (CUDA 13
    # starts at sm_75). The tensor-core kernels use mma.sync, present on both.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
    endif()
    # The CUDA toolkit may be newer than this CMake's knowledge of it; the
    # host compiler is the project's C++ compiler.
    if(NOT CMAKE_CUDA_HOST_COMPILER)
      set(CMAKE_CUDA_HOST_COMPILER "${CMAKE_CXX_COMPILER}")
    endif()
    enable_language(CUDA)
    # CUDA files follow the project's C++20; CMake 3.25 does not know nvcc's
    # C++20 flag yet, so it is named here.
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)  # the toolkit of CMAKE_CUDA_COMPILER
    set(FLOPSCOPE_CUDA_ENABLED ON)
    message(STATUS "flopscope: CUDA backend on (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, "
                   "architectures ${CMAKE_CUDA_ARCHITECTURES})")
  elseif(_flopscope_cuda_mode STREQUAL "AUTO")
    message(STATUS "flopscope: CUDA backend off (no nvcc in PATH or /usr/local/cuda/bin)")
  else()
    message(FATAL_ERROR "FLOPSCOPE_ENABLE_CUDA=ON but nvcc was not found (PATH, /usr/local/cuda/bin)")
  endif()
endif()
