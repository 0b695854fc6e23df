// Rack runs in a build without MPI: ranks know who they are from the
// launcher's environment and write their partial files; nothing is gathered.
#include "harness/mpi/rack.h"

namespace flopscope::rack {

bool mpi_built() {
  return false;
}

RankInfo start(const RankInfo& env) {
  return env;
}

std::vector<std::string> gather_to_root(const std::string& mine) {
  return {mine};
}

void finish() {}

}  // namespace flopscope::rack
