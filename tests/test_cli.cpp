// End to end: the flopscope binary, its exit codes (DESIGN.md), its one-line
// errors, its result file against the schema, and no partial files.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr together
};

Result flopscope(const std::string& args) {
  std::string cmd = std::string(FLOPSCOPE_BINARY) + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

fs::path scratch() {
  auto d = fs::temp_directory_path() / ("flopscope-cli-" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Tiny runs: the shortest repetitions Google Benchmark allows.
const std::string kTiny =
    " -- --benchmark_min_time=0.01 --benchmark_repetitions=2 --benchmark_min_warmup_time=0";

}  // namespace

TEST(Cli, DevicesNamesIsaAndDerivation) {
  auto r = flopscope("devices");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("cpu0"), std::string::npos);
  EXPECT_NE(r.out.find("Topology (live)"), std::string::npos);
  EXPECT_NE(r.out.find("measured under load"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ISA:"), std::string::npos);
}

TEST(Cli, DevicesJson) {
  auto r = flopscope("devices --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["devices"][0]["id"], "cpu0");
  EXPECT_TRUE(j["devices"][0]["peaks"].contains("fp64"));
  EXPECT_GE(j["topology"]["cores"].get<int>(), 1);
}

TEST(Cli, RunPeakWritesValidResultFile) {
  auto dir = scratch();
  auto out = dir / "run.json";
  auto csv = dir / "run.csv";
  auto r = flopscope("run --devices cpu0 --kernels peak --precisions fp64,fp32 --quiet --output " +
                     out.string() + " --csv " + csv.string() + kTiny);
  ASSERT_EQ(r.code, 0) << r.out;
  ASSERT_TRUE(fs::exists(out));
  ASSERT_TRUE(fs::exists(csv));
  std::ifstream in(out);
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["complete"], true);
  ASSERT_EQ(j["measurements"].size(), 2u);
  for (const auto& m : j["measurements"]) {
    EXPECT_EQ(m["status"], "ok");
    EXPECT_TRUE(m["verified"].get<bool>());
    EXPECT_GT(m["median_flops"].get<double>(), 0);
  }
  EXPECT_EQ(j["command_line"][1], "run");
  std::string validate = std::string("python3 ") + FLOPSCOPE_VALIDATOR + " " + FLOPSCOPE_SCHEMA +
                         " " + out.string() + " 2>&1";
  int status = std::system(validate.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 0) << "schema validation failed";
  EXPECT_EQ(
      count_lines(std::string(std::istreambuf_iterator<char>(std::ifstream(csv).rdbuf()), {})), 3);
  fs::remove_all(dir);
}

TEST(Cli, BadInputExitsTwoWithOneLineAndNoFile) {
  auto dir = scratch();
  auto out = dir / "never.json";
  for (const std::string args :
       {"--devices gpu0", "--devices cuda:x", "--devices tpu", "--kernels dgemm",
        "--precisions fp128", "--classes science", "--sizes 0", "--sizes -5",
        "--sizes 99999999999999", "--sizes abc", "--bogus-flag"}) {
    auto r = flopscope("run " + args + " --output " + out.string());
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << args << ": " << r.out;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
  auto r = flopscope("run --kernels peak --output /nonexistent-folder/x.json");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(count_lines(r.out), 1) << r.out;
  r = flopscope("run --kernels peak --output " + out.string() + " -- --benchmark_repetitions=0");
  EXPECT_EQ(r.code, 2) << r.out;
  r = flopscope("run --kernels peak --output " + out.string() +
                " -- --benchmark_list_everything=1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_FALSE(fs::exists(out));
  r = flopscope("frobnicate");
  EXPECT_EQ(r.code, 2) << r.out;
  fs::remove_all(dir);
}

TEST(Cli, AbsentDeviceExitsThree) {
  auto dir = scratch();
  auto out = dir / "never.json";
  for (const std::string dev : {"cpu1", "cuda:0", "hip:0", "cuda"}) {
    auto r = flopscope("run --devices " + dev + " --kernels peak --output " + out.string());
    EXPECT_EQ(r.code, 3) << dev << ": " << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << dev << ": " << r.out;
    EXPECT_FALSE(fs::exists(out));
  }
  fs::remove_all(dir);
}

TEST(Cli, DevicesFromRecordingsSideBySide) {
  const std::string fixture = std::string(FLOPSCOPE_TEST_FIXTURES) + "/two_socket_8gpu.xml";
  auto r = flopscope("devices --topology " + fixture + " --topology " + fixture + " --nodes 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("cuda:7"), std::string::npos);
  EXPECT_NE(r.out.find("node (peaks x 2)"), std::string::npos) << r.out;
  r = flopscope("devices --json --topology " + fixture);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["topology"]["packages"], 2);
  EXPECT_EQ(j["devices"].size(), 9u);
}

TEST(Cli, BadRecordingsExitTwoNamingTheFile) {
  auto dir = scratch();
  const auto not_xml = (dir / "not.xml").string();
  const auto not_hwloc = (dir / "other.xml").string();
  const auto truncated = (dir / "cut.xml").string();
  std::ofstream(not_xml) << "this is not XML\n";
  std::ofstream(not_hwloc) << "<?xml version=\"1.0\"?>\n<html><body/></html>\n";
  {
    std::ifstream in(std::string(FLOPSCOPE_TEST_FIXTURES) + "/two_socket_8gpu.xml");
    std::string s((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(truncated) << s.substr(0, s.size() / 2);
  }
  for (const auto& f : {not_xml, not_hwloc, truncated, (dir / "missing.xml").string()}) {
    auto r = flopscope("devices --topology " + f);
    EXPECT_EQ(r.code, 2) << f << ": " << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << r.out;
    EXPECT_NE(r.out.find(f), std::string::npos) << r.out;
  }
  auto r = flopscope("devices --topology " + std::string(FLOPSCOPE_TEST_FIXTURES) +
                     "/two_socket_8gpu.xml --clock fast");
  EXPECT_EQ(r.code, 2) << r.out;
  fs::remove_all(dir);
}
