// The CUDA build of the star stencils written once in kernels/stencil/gpu.
#include "kernels/stencil/gpu/stencil_gpu.cuh"
