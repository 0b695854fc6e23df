// Rack runs under mpirun on this one host: two ranks share the node and
// rank 0 writes one rack result; a rank killed with SIGKILL mid-run leaves
// the others' partial files, which merge into a result naming it (exit 3).
// Skipped where mpirun is absent or this build has no MPI.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "harness/mpi/rack.h"

namespace fs = std::filesystem;

namespace {

struct Result {
  int code = -1;
  std::string out;
};

Result shell(const std::string& cmd) {
  Result r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

bool can_run_mpi() {
  return flopscope::rack::mpi_built() && std::system("command -v mpirun >/dev/null 2>&1") == 0;
}

// Root needs Open MPI's consent; --oversubscribe lets two ranks share two
// cores; flopscope pins its own threads, so mpirun binds nothing.
std::string mpirun(int ranks) {
  return "mpirun --allow-run-as-root --oversubscribe --bind-to none -np " + std::to_string(ranks) +
         " ";
}

fs::path scratch(const std::string& name) {
  auto d = fs::temp_directory_path() / ("flopscope-mpi-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

nlohmann::json read(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

bool schema_valid(const fs::path& p) {
  const std::string cmd =
      std::string("python3 ") + FLOPSCOPE_VALIDATOR + " " + FLOPSCOPE_SCHEMA + " " + p.string();
  return shell(cmd).code == 0;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The pid of the process of MPI rank `rank` whose command line mentions `tag`.
int find_rank_pid(int rank, const std::string& tag) {
  const std::string want = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = slurp(e.path() / "cmdline");
    if (cmdline.find(tag) == std::string::npos || cmdline.find("mpirun") != std::string::npos)
      continue;
    std::string env = slurp(e.path() / "environ");
    for (size_t i = 0; i < env.size();) {
      const size_t end = env.find('\0', i);
      if (env.compare(i, (end == std::string::npos ? env.size() : end) - i, want) == 0)
        return std::stoi(name);
      if (end == std::string::npos) break;
      i = end + 1;
    }
  }
  return -1;
}

}  // namespace

TEST(Mpi, TwoRanksOnOneHostWriteOneRackResult) {
  if (!can_run_mpi()) GTEST_SKIP() << "no mpirun, or flopscope built without MPI";
  auto dir = scratch("gather");
  auto out = dir / "rack.json";
  auto r = shell(mpirun(2) + FLOPSCOPE_BINARY +
                 " run --quick --kernels peak --precisions fp64 --quiet --output " + out.string() +
                 " -- --benchmark_min_time=0.01 --benchmark_repetitions=2 "
                 "--benchmark_min_warmup_time=0");
  ASSERT_EQ(r.code, 0) << r.out;
  ASSERT_TRUE(fs::exists(out)) << r.out;
  EXPECT_TRUE(fs::exists(dir / "rack.rank0.json"));
  EXPECT_TRUE(fs::exists(dir / "rack.rank1.json"));
  auto j = read(out);
  EXPECT_TRUE(j["complete"].get<bool>());
  EXPECT_EQ(j["rack"]["ranks"], 2);
  EXPECT_TRUE(j["rack"]["missing_ranks"].empty());
  ASSERT_EQ(j["nodes"].size(), 1u);  // one host
  EXPECT_EQ(j["nodes"][0]["ranks"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(j["rack"]["rank_sections"].size(), 2u);
  // Each rank measured its own share of the cores, as its own device.
  std::set<std::string> ids;
  for (const auto& d : j["devices"]) ids.insert(d["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"node0/cpu0", "node0/cpu1"}));
  const auto& sc = j["classes"]["supercomputing"];
  ASSERT_EQ(sc["per_device"].size(), 2u) << sc;
  double sum = 0;
  for (const auto& [id, f] : sc["per_device"].items()) sum += f.get<double>();
  EXPECT_DOUBLE_EQ(sc["flops"].get<double>(), sum);
  EXPECT_DOUBLE_EQ(j["rack"]["totals"]["supercomputing"].get<double>(), sum);
  EXPECT_TRUE(schema_valid(out));
  fs::remove_all(dir);
}

TEST(Mpi, KilledRankLeavesPartialFilesThatMergeNamingIt) {
  if (!can_run_mpi()) GTEST_SKIP() << "no mpirun, or flopscope built without MPI";
  auto dir = scratch("kill");
  auto out = dir / "rack.json";
  const std::string cmd = mpirun(2) + FLOPSCOPE_BINARY +
                          " run --kernels peak --precisions fp64 --duration 30s --quiet --output " +
                          out.string() + " >" + (dir / "log").string() + " 2>&1";
  const pid_t launcher = fork();
  ASSERT_GE(launcher, 0);
  if (launcher == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until both ranks have written their first partial file, then kill rank 1.
  int victim = -1;
  for (int i = 0; i < 300 && victim < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (fs::exists(dir / "rack.rank0.json") && fs::exists(dir / "rack.rank1.json"))
      victim = find_rank_pid(1, out.string());
  }
  ASSERT_GT(victim, 0) << slurp(dir / "log");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  // mpirun notices and ends the job; rank 0 stops on the SIGTERM it gets.
  int status = 0;
  bool ended = false;
  for (int i = 0; i < 600 && !ended; ++i) {
    ended = waitpid(launcher, &status, WNOHANG) == launcher;
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ended) {
    kill(-launcher, SIGKILL);
    waitpid(launcher, &status, 0);
  }
  ASSERT_TRUE(ended) << "mpirun did not end after a rank was killed\n" << slurp(dir / "log");
  EXPECT_FALSE(fs::exists(out)) << "no rack result: the job died before gathering";

  // The surviving rank's file merges into a result that names the missing rank.
  ASSERT_TRUE(fs::exists(dir / "rack.rank0.json"));
  auto merged = dir / "merged.json";
  auto r = shell(std::string(FLOPSCOPE_BINARY) + " merge " + (dir / "rack.rank0.json").string() +
                 " --output " + merged.string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("missing rank 1"), std::string::npos) << r.out;
  auto j = read(merged);
  EXPECT_EQ(j["rack"]["missing_ranks"], nlohmann::json::array({1}));
  EXPECT_FALSE(j["complete"].get<bool>());
  EXPECT_TRUE(schema_valid(merged));
  // The killed rank's own last checkpoint still says "running": merged in,
  // it is named as a rank that died mid-run.
  r = shell(std::string(FLOPSCOPE_BINARY) + " merge " + (dir / "rack.rank0.json").string() + " " +
            (dir / "rack.rank1.json").string() + " --output " + merged.string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("rank 1 died mid-run"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// A rank's variables without its launcher (a job script run by hand, or
// mpirun of one MPI under another's variables): MPI starts alone, as rank 0
// of 1, and every such process would write rank 0's file over the others'.
// The run refuses before measuring: one line, exit 2, no file.
TEST(Mpi, LauncherVariablesWithoutTheLauncherExitTwo) {
  if (!flopscope::rack::mpi_built()) GTEST_SKIP() << "flopscope built without MPI";
  auto dir = scratch("singleton");
  auto out = dir / "rack.json";
  auto r = shell("PMI_RANK=1 PMI_SIZE=2 timeout 60 " + std::string(FLOPSCOPE_BINARY) +
                 " run --kernels peak --precisions fp64 --quiet --output " + out.string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("the environment says rank 1 of 2 (mpich), MPI says 0 of 1"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::is_empty(dir)) << "neither the result nor a partial file";
  fs::remove_all(dir);
}
