// Rack runs: one flopscope process per rank, started by mpirun or srun.
// Each rank measures its share of a node (local rank -> GPU, cores split by
// the topology) and writes its own partial result first; rank 0 then gathers
// every rank's result over MPI and writes one rack result. Built with MPI
// when CMake finds it (FLOPSCOPE_ENABLE_MPI); without it, ranks still know
// who they are from the launcher's environment and write their partial
// files, which `flopscope merge` joins.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flopscope::rack {

struct RankInfo {
  int rank = 0, size = 1;
  int local_rank = 0, local_size = 1;  // ranks on this host
  int node_index = -1;                 // agreed over MPI; -1: merge numbers nodes by host name
  std::string hostname;
  std::string launcher;  // "open-mpi", "mpich", "slurm", or "" when not launched
  bool mpi = false;      // MPI is running: gather and node index work
  bool launched() const { return size > 1; }
};

// Reads the launcher's environment: Open MPI (OMPI_COMM_WORLD_*), MPICH and
// Intel MPI (PMI_RANK, PMI_SIZE, MPI_LOCALRANKID, MPI_LOCALNRANKS), Slurm
// job steps (SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_LOCALID). size 1
// when none says otherwise.
RankInfo rank_from_environment();

// Whether this build links MPI.
bool mpi_built();

// Starts MPI when built with it and the process was launched as one of
// several ranks; refines local rank, local size and node index over MPI.
// Returns `env` unchanged otherwise.
RankInfo start(const RankInfo& env);

// Rank 0 receives every rank's text in rank order; the others get an empty
// list. Only while MPI runs.
std::vector<std::string> gather_to_root(const std::string& mine);

// Ends MPI cleanly (all ranks must call it). Not called after an
// interruption: the peers may be gone, and MPI_Finalize would wait for them.
void finish();

// The contiguous share of `items` for local rank `r` of `n` (cores in
// topology order, so shares follow packages and NUMA nodes).
std::vector<int> share_of(const std::vector<int>& items, int r, int n);

}  // namespace flopscope::rack
