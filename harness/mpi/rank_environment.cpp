#include <unistd.h>

#include <cstdlib>
#include <string>

#include "harness/job_limits.h"
#include "harness/mpi/rack.h"

namespace flopscope::rack {

namespace {

std::optional<int> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (end == v || n < 0 || n > kMaxJobSize) return std::nullopt;
  return static_cast<int>(n);
}

}  // namespace

RankInfo rank_from_environment() {
  RankInfo r;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  r.hostname = host;
  struct Names {
    const char *launcher, *rank, *size, *local_rank, *local_size;
  };
  // Slurm last: under mpirun inside an allocation, the MPI launcher's own
  // variables describe this process; Slurm's describe the batch step.
  static const Names kLaunchers[] = {
      {"open-mpi", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK",
       "OMPI_COMM_WORLD_LOCAL_SIZE"},
      {"mpich", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"},
      {"slurm", "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_LOCALID", nullptr},
  };
  for (const auto& l : kLaunchers) {
    auto rank = env_int(l.rank), size = env_int(l.size);
    if (!rank || !size || *size < 1 || *rank >= *size) continue;
    r.rank = *rank;
    r.size = *size;
    r.launcher = l.launcher;
    r.local_rank = env_int(l.local_rank).value_or(0);
    r.local_size = l.local_size ? env_int(l.local_size).value_or(1) : 1;
    if (r.launcher == "slurm") {
      // SLURM_STEP_TASKS_PER_NODE is "4" or "4(x2),3": the first count is
      // this node's when the distribution is even, which srun's default is.
      if (const char* t = std::getenv("SLURM_STEP_TASKS_PER_NODE"))
        r.local_size = std::max(1, std::atoi(t));
    }
    if (r.local_rank >= r.local_size) r.local_size = r.local_rank + 1;
    break;
  }
  return r;
}

std::vector<int> share_of(const std::vector<int>& items, int r, int n) {
  if (n <= 1 || items.empty()) return items;
  const size_t total = items.size();
  // Spread the remainder over the first shares; a rank beyond the items
  // (more ranks than cores) gets none.
  const size_t base = total / n, extra = total % n;
  const size_t begin = r * base + std::min<size_t>(r, extra);
  const size_t len = base + (static_cast<size_t>(r) < extra ? 1 : 0);
  if (begin >= total) return {};
  return std::vector<int>(items.begin() + begin, items.begin() + std::min(total, begin + len));
}

}  // namespace flopscope::rack
