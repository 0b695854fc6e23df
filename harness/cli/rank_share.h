// An MPI rank's share of its node: local rank r of n gets the r-th of n
// contiguous slices of the cores (topology order, so slices follow packages
// and NUMA nodes) and the GPUs whose position among the node's GPUs of a
// kind is r modulo n (one GPU per rank when there are as many ranks as GPUs).
#pragma once

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "harness/backend.h"
#include "harness/mpi/rack.h"

namespace flopscope::cli {

// Keeps this rank's GPUs in `devices` (in place); CPUs stay.
void keep_rank_gpus(std::vector<std::pair<Backend*, Device>>& devices, const rack::RankInfo& rank);

// Renames a CPU share "cpu<local rank>" when ranks share the node, so every
// device of a rack result has its own id, and records the share.
void name_cpu_share(Device& cpu, const rack::RankInfo& rank, const std::vector<int>& pus);

nlohmann::json rank_to_json(const rack::RankInfo& rank);

}  // namespace flopscope::cli
