// The CUDA build of the stream kernels written once in kernels/stream/gpu.
#include "kernels/stream/gpu/stream_gpu.cuh"
