// The MPI side of rack runs: built only when CMake found MPI. Only the C
// API is used; the deprecated C++ bindings that Open MPI's and MPICH's
// mpi.h pull into C++ code would need their own library.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include "harness/mpi/rack.h"

namespace flopscope::rack {

namespace {
bool g_running = false;
}

bool mpi_built() {
  return true;
}

RankInfo start(const RankInfo& env) {
  if (!env.launched()) return env;
  int provided = 0;
  // Only the main thread talks to MPI; concurrent mode's device threads don't.
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return env;
  g_running = true;
  RankInfo r = env;
  r.mpi = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &r.size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, r.rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &r.local_rank);
  MPI_Comm_size(node, &r.local_size);
  // Node index: the rank of this node's leader among the leaders, which
  // follows world rank order, so node0 holds rank 0.
  MPI_Comm leaders;
  MPI_Comm_split(MPI_COMM_WORLD, r.local_rank == 0 ? 0 : MPI_UNDEFINED, r.rank, &leaders);
  int index = 0;
  if (r.local_rank == 0) {
    MPI_Comm_rank(leaders, &index);
    MPI_Comm_free(&leaders);
  }
  MPI_Bcast(&index, 1, MPI_INT, 0, node);
  MPI_Comm_free(&node);
  r.node_index = index;
  return r;
}

std::vector<std::string> gather_to_root(const std::string& mine) {
  if (!g_running) return {mine};
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int len = static_cast<int>(mine.size());
  std::vector<int> lens(rank == 0 ? size : 0);
  MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> displs(lens.size());
  size_t total = 0;
  for (size_t i = 0; i < lens.size(); ++i) {
    displs[i] = static_cast<int>(total);
    total += static_cast<size_t>(lens[i]);
  }
  std::string all(total, '\0');
  MPI_Gatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (size_t i = 0; i < lens.size(); ++i) out.push_back(all.substr(displs[i], lens[i]));
  return out;
}

void finish() {
  if (!g_running) return;
  MPI_Finalize();
  g_running = false;
}

}  // namespace flopscope::rack
