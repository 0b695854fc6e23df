// The CUDA build of the FMA-chain peak kernels written once in kernels/peak/gpu.
#include "kernels/peak/gpu/peak_gpu.cuh"
