# The GPU kernels written once for CUDA and HIP (through the runtime shim in
# devices/gpu_shim): stream, stencil and the vector FMA chains (the FFT's
# helper kernels, kernels/fft/gpu, are shared too). The CUDA plugin compiles them with nvcc and the HIP
# plugin with hipcc; flopscope_assert_shared_gpu_kernels() fails the
# configure step if either backend compiles anything else for stream,
# stencil or the FMA chains, or leaves one of these out.
set(FLOPSCOPE_GPU_SHARED_KERNELS
  ${CMAKE_SOURCE_DIR}/kernels/peak/gpu/peak_gpu.cu
  ${CMAKE_SOURCE_DIR}/kernels/stencil/gpu/stencil_gpu.cu
  ${CMAKE_SOURCE_DIR}/kernels/stream/gpu/stream_gpu.cu)

# Host-only code shared by both GPU backends (sizes, checks): plain C++.
set(FLOPSCOPE_GPU_SHARED_HOST
  ${CMAKE_SOURCE_DIR}/kernels/stencil/gpu/stencil_gpu_sizes.cpp
  ${CMAKE_SOURCE_DIR}/kernels/stream/gpu/stream_gpu_sizes.cpp
  ${CMAKE_SOURCE_DIR}/kernels/fft/gpu/fft_gpu_sizes.cpp
  ${CMAKE_SOURCE_DIR}/kernels/gemm/gpu/gemm_check.cpp
  ${CMAKE_SOURCE_DIR}/devices/gpu_shim/gpu_user_sizes.cpp
  ${CMAKE_SOURCE_DIR}/devices/gpu_shim/gpu_placement.cpp)

# The device sources `target` compiles: its CUDA sources, or for the HIP
# plugin the files it hands to hipcc (property FLOPSCOPE_HIP_SOURCES).
function(_flopscope_gpu_device_sources target out)
  get_target_property(hip "${target}" FLOPSCOPE_HIP_SOURCES)
  if(hip)
    set(sources ${hip})
  else()
    get_target_property(all "${target}" SOURCES)
    get_target_property(dir "${target}" SOURCE_DIR)
    set(sources "")
    foreach(s IN LISTS all)
      if(s MATCHES "\\.cu$")
        cmake_path(ABSOLUTE_PATH s BASE_DIRECTORY "${dir}" NORMALIZE)
        list(APPEND sources "${s}")
      endif()
    endforeach()
  endif()
  set(${out} ${sources} PARENT_SCOPE)
endfunction()

# Fails with the reason when `sources` (the device files one backend
# compiles, absolute paths) leave out a shared kernel or compile their own
# stream, stencil or FMA-chain body. Pure list logic, so a test can run it in
# script mode (tests/cmake/check_gpu_sources.cmake).
function(flopscope_check_gpu_sources name sources)
  foreach(shared IN LISTS FLOPSCOPE_GPU_SHARED_KERNELS)
    if(NOT shared IN_LIST sources)
      message(FATAL_ERROR "${name} does not compile the shared GPU kernel ${shared}")
    endif()
  endforeach()
  foreach(s IN LISTS sources)
    # Stream, stencil and the vector FMA chains come only from the shared
    # files; a vendor folder may add matrix-unit peak kernels (peak_mma,
    # peak_mfma) but no stream or stencil body of its own.
    if(s MATCHES "/kernels/(stream|stencil)/" AND NOT s IN_LIST FLOPSCOPE_GPU_SHARED_KERNELS)
      message(FATAL_ERROR "${name} compiles ${s}: stream and stencil kernels are written once "
                          "(kernels/<k>/gpu), not per vendor")
    endif()
    if(s MATCHES "/kernels/peak/" AND NOT s IN_LIST FLOPSCOPE_GPU_SHARED_KERNELS
       AND NOT s MATCHES "/kernels/peak/(cuda/peak_mma|hip/peak_mfma)[^/]*$")
      message(FATAL_ERROR "${name} compiles ${s}: the FMA chains are written once "
                          "(kernels/peak/gpu); vendor folders hold matrix-unit peaks only")
    endif()
  endforeach()
endfunction()

function(flopscope_assert_shared_gpu_kernels)
  set(targets "")
  if(TARGET flopscope_cuda_core)
    list(APPEND targets flopscope_cuda_core)
  endif()
  if(TARGET flopscope_hip_core)
    list(APPEND targets flopscope_hip_core)
  endif()
  foreach(t IN LISTS targets)
    _flopscope_gpu_device_sources(${t} sources)
    flopscope_check_gpu_sources(${t} "${sources}")
  endforeach()
  if(targets)
    list(JOIN targets " and " names)
    message(STATUS "flopscope: ${names} compile the same stream, stencil and FMA-chain sources")
  endif()
endfunction()
