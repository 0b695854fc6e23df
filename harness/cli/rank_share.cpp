#include "harness/cli/rank_share.h"

#include <map>
#include <string>

namespace flopscope::cli {

void keep_rank_gpus(std::vector<std::pair<Backend*, Device>>& devices, const rack::RankInfo& rank) {
  std::vector<std::pair<Backend*, Device>> kept;
  std::map<std::string, int> position;
  for (auto& [b, d] : devices) {
    if (d.kind != "cpu" && position[d.kind]++ % rank.local_size != rank.local_rank) continue;
    kept.emplace_back(b, d);
  }
  devices = kept;
}

void name_cpu_share(Device& cpu, const rack::RankInfo& rank, const std::vector<int>& pus) {
  cpu.details["node_share"] = {{"local_rank", rank.local_rank},
                               {"local_size", rank.local_size},
                               {"pus", pus},
                               {"id_on_node", cpu.id}};
  if (rank.local_size > 1) cpu.id = "cpu" + std::to_string(rank.local_rank);
}

nlohmann::json rank_to_json(const rack::RankInfo& r) {
  return {{"rank", r.rank},
          {"size", r.size},
          {"local_rank", r.local_rank},
          {"local_size", r.local_size},
          {"node_index", r.node_index},
          {"hostname", r.hostname},
          {"launcher", r.launcher},
          {"mpi", r.mpi}};
}

}  // namespace flopscope::cli
