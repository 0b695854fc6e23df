// End to end: the flopscope binary, its exit codes (DESIGN.md), its one-line
// errors, its result file against the schema, and no partial files.
#include <gtest/gtest.h>
#include <hwloc.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr together
};

// `env`: VAR=value assignments for this run only ("" for none).
Result flopscope(const std::string& args, const std::string& env = "") {
  std::string cmd = env + " " + std::string(FLOPSCOPE_BINARY) + " " + args + " 2>&1";
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
  // What a reader needs to rebuild and rerun it: the build, where the
  // command ran (its paths may be relative), the hwloc that read the node.
  EXPECT_FALSE(j["tool"]["git_commit"].get<std::string>().empty());
  EXPECT_TRUE(j["tool"]["build"]["type"].is_string()) << j["tool"];
  EXPECT_TRUE(j["tool"]["build"]["compiler"].is_string()) << j["tool"];
  EXPECT_TRUE(j["host"]["working_directory"].is_string()) << j["host"];
  EXPECT_TRUE(j["topology"]["hwloc_api_version"].is_string());
  EXPECT_EQ(j["topology"]["hwloc_built_with"], HWLOC_VERSION);
  // The page setup the CPU GEMMs ran on, where the kernel has THP.
  if (fs::exists("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")) {
    EXPECT_TRUE(j["host"]["transparent_huge_pages"].is_string()) << j["host"];
    EXPECT_TRUE(j["host"]["transparent_huge_pages_defrag"].is_string()) << j["host"];
    EXPECT_GT(j["host"].value("huge_page_bytes", 0ull), 4096ull) << j["host"];
  }
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
  EXPECT_NE(r.out.find("unknown command 'frobnicate'"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// Outputs that would destroy something (a device node, the other output,
// the reference), empty values, an internal variable set by hand and a
// stencil grid past int64: one line, exit 2, nothing run or written.
TEST(Cli, DangerousOutputsAndImpossibleInputExitTwo) {
  auto dir = scratch();
  const std::string out = (dir / "run.json").string();
  for (const std::string& args : std::vector<std::string>{
           "--output /dev/null", "--output " + out + " --csv " + out, "--output ''",
           "--csv '' --output " + out, "--kernels '' --output " + out,
           "--devices cpu,cpu0 --output " + out,
           "--kernels stencil --precisions fp64 --sizes 5000000 --output " + out}) {
    auto r = flopscope("run --quick --quiet " + args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << args << ": " << r.out;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  // A valid reference given as --output too: refused before it is overwritten.
  fs::copy_file(
      std::string(FLOPSCOPE_TEST_FIXTURES) + "/../../results/references/dev-zen3-2core.json", out);
  auto r = flopscope("run --quick --kernels stream --output " + out + " --reference " + out);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("name the same file"), std::string::npos) << r.out;
  fs::remove(out);
  r = flopscope("devices --clock 1e300GHz --topology " + std::string(FLOPSCOPE_TEST_FIXTURES) +
                "/two_socket_8gpu.xml");
  EXPECT_EQ(r.code, 2) << r.out;
  r = flopscope(
      "run --quick --quiet --kernels stream --precisions fp64 --implementation nosuch "
      "--output " +
      out);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("no implementation 'nosuch' for stream here"), std::string::npos) << r.out;
  r = flopscope("run --quick --quiet --kernels stream --output " + out +
                " -- '--benchmark_filter=('");
  EXPECT_EQ(r.code, 2) << r.out;
  r = flopscope("run --quick --quiet --kernels peak --precisions fp64 --output " + out +
                " -- --benchmark_filter=no-such-item");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--benchmark_filter matched none"), std::string::npos) << r.out;
  fs::remove(out);
  // The worker's variable, set in a user's shell: never serve a terminal.
  r = flopscope("devices </dev/null", "FLOPSCOPE_CPU_LIBRARY_WORKER=0,1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("FLOPSCOPE_CPU_LIBRARY_WORKER is set"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// A plugin folder the user named but mistyped: the GPU backends say so
// instead of vanishing from the listing.
TEST(Cli, MistypedPluginFolderIsNamed) {
  auto r = flopscope("devices", "FLOPSCOPE_PLUGIN_DIR=/nonexistent-plugins");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("cuda: unavailable: no libflopscope_cuda.so in "
                       "FLOPSCOPE_PLUGIN_DIR=/nonexistent-plugins"),
            std::string::npos)
      << r.out;
}

// A forced implementation the device lacks: the reason, with what the
// device has instead, on the screen (not only in the result file).
TEST(Cli, ForcedImplementationTheDeviceLacksSaysWhatItHas) {
  auto dir = scratch();
  auto out = dir / "run.json";
  auto r = flopscope(
      "run --devices cpu0 --kernels fft --precisions fp64 --sizes 64 "
      "--implementation no-such-fft --quiet --output " +
      out.string() + kTiny);
  // Nothing selected has it: a mistyped name, exit 2 after the table.
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--implementation no-such-fft: no selected kernel has it"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("cpu0 fft/fp64 unsupported: no implementation 'no-such-fft' for fft here; "
                       "available: fftw"),
            std::string::npos)
      << r.out;
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

// HWLOC_XMLFILE makes hwloc describe the recorded machine instead of this
// one: right for `devices`, wrong for a run, which would pin threads to PUs
// that do not exist here. The run refuses before measuring.
TEST(Cli, RecordingOfAnotherMachineInHwlocXmlfileExitsTwo) {
  const std::string xml = std::string(FLOPSCOPE_TEST_FIXTURES) + "/two_socket_8gpu.xml";
  if (sysconf(_SC_NPROCESSORS_ONLN) >= 8) GTEST_SKIP() << "this machine has the recording's 8 PUs";
  auto dir = scratch();
  auto out = dir / "never.json";
  auto r = flopscope("run --devices cpu0 --kernels peak --quiet --output " + out.string(),
                     "HWLOC_XMLFILE=" + xml);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(count_lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("HWLOC_XMLFILE=" + xml + " describes 8 PUs"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(flopscope("devices", "HWLOC_XMLFILE=" + xml).code, 0);
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

// ---- Sustained runs, interruption, certify, compare, merge (issue 7) ----
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace {

fs::path soak_scratch(const std::string& name) {
  auto d = fs::temp_directory_path() / ("flopscope-cli7-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

bool schema_valid(const fs::path& p) {
  std::string validate = std::string("python3 ") + FLOPSCOPE_VALIDATOR + " " + FLOPSCOPE_SCHEMA +
                         " " + p.string() + " 2>&1";
  return WEXITSTATUS(std::system(validate.c_str())) == 0;
}

// A tiny burst run of the peak kernel, for certify and compare to read.
fs::path peak_run(const fs::path& dir, const std::string& name) {
  auto out = dir / name;
  auto r = flopscope("run --devices cpu0 --kernels peak --precisions fp64 --quiet --output " +
                     out.string() + kTiny);
  EXPECT_EQ(r.code, 0) << r.out;
  return out;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

const char* kRefStart =
    R"({"schema_version": "1.0.0", "kind": "flopscope-reference", "name": "cli test",
  "devices": [{"match": {"kind": "cpu"},
)";

}  // namespace

TEST(CliSoak, BadDurationExitsTwo) {
  auto dir = soak_scratch("baddur");
  auto out = dir / "never.json";
  const std::vector<std::string> bad = {
      "--duration 10x",
      "--duration 0s",
      "--duration -5s",
      "--duration 9999h",
      "--duration 5s --reference " + (dir / "absent.json").string(),
      "--duration 5s -- --benchmark_repetitions=2"};
  for (const std::string& args : bad) {
    auto r = flopscope("run --kernels peak " + args + " --output " + out.string());
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << args << ": " << r.out;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
  fs::remove_all(dir);
}

TEST(CliSoak, DurationWritesSeriesBurstSteadyDropAndSensors) {
  auto dir = soak_scratch("soak");
  auto out = dir / "soak.json";
  auto r = flopscope(
      "run --devices cpu0 --kernels peak --precisions fp64 --duration 3s --quiet "
      "--output " +
      out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("Sustained (soak)"), std::string::npos) << r.out;
  auto j = read_json(out);
  EXPECT_TRUE(j["complete"].get<bool>());
  ASSERT_EQ(j["measurements"].size(), 1u);
  const auto& m = j["measurements"][0];
  EXPECT_EQ(m["mode"], "soak");
  EXPECT_EQ(m["status"], "ok");
  EXPECT_EQ(m["series"].size(), 3u);
  EXPECT_GT(m["burst_flops"].get<double>(), 0);
  EXPECT_GT(m["steady_flops"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(m["median_flops"].get<double>(), m["steady_flops"].get<double>());
  EXPECT_TRUE(m["drop"].is_number());
  EXPECT_TRUE(m["attribution"]["cause"].is_string());
  // Every channel is either sampled or says "missing" with the reason; never a zero.
  for (const char* ch :
       {"clock_hz", "temperature_c", "power_w", "power_limit_w", "throttle_reasons"}) {
    const auto& c = m["sensors"][ch];
    EXPECT_TRUE(c == "missing" || c.is_object()) << ch << ": " << c;
    if (c == "missing") EXPECT_TRUE(m["sensors"]["missing_why"].contains(ch)) << ch;
  }
  EXPECT_TRUE(j["preflight"]["load"].is_object());
  EXPECT_TRUE(j["preflight"]["smt"].contains("active"));
  EXPECT_EQ(j["preflight"]["seed"], j["seed"]);
  // The shared-units check measured the CPU, or said why not (a CPU missing
  // from the peak table); its fraction depends on what else runs beside the
  // test, so only that it measured.
  const auto& units = j["preflight"]["unit_throughput"]["cpu0"];
  if (units.is_string()) {
    EXPECT_EQ(units.get<std::string>().rfind("not checked: ", 0), 0u) << units;
  } else {
    EXPECT_GT(units.value("fraction", 0.0), 0) << units;
    EXPECT_GT(units.value("clock_hz", 0.0), 0) << units;
  }
  EXPECT_TRUE(schema_valid(out));
  fs::remove_all(dir);
}

namespace {
// Appends what `fd` has to `text`, waiting at most 100 ms for it; false
// once the other side has closed (a pseudo-terminal reads EIO then).
bool read_some(int fd, std::string& text) {
  pollfd ready{fd, POLLIN, 0};
  if (poll(&ready, 1, 100) <= 0) return true;
  char buf[4096];
  const ssize_t got = read(fd, buf, sizeof buf);
  if (got <= 0) return false;
  text.append(buf, static_cast<size_t>(got));
  return true;
}
}  // namespace

// Ctrl-C during a soak, once it has measured a window: exit 130 soon after,
// and a valid file marked incomplete with that window in it. The run has a
// pseudo-terminal, as a person at a terminal gives it, so its progress line
// says when the first window is in; a fixed sleep gave no window on a loaded
// machine (ctest -j2, AddressSanitizer's slower start).
TEST(CliSoak, SigintLeavesValidIncompleteResultAndExits130) {
  auto dir = soak_scratch("sigint");
  auto out = dir / "interrupted.json";
  int terminal = -1;
  const pid_t pid = forkpty(&terminal, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(FLOPSCOPE_BINARY, FLOPSCOPE_BINARY, "run", "--devices", "cpu0", "--kernels", "peak",
          "--precisions", "fp64", "--duration", "60s", "--output", out.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // The progress line ends in the last window's rate ("left in all | 9.1
  // GFLOP/s") from the first window on.
  std::string shown;
  const auto shows_a_window = [&] { return shown.find("left in all | ") != std::string::npos; };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!shows_a_window() && std::chrono::steady_clock::now() < give_up)
    if (!read_some(terminal, shown)) break;
  if (!shows_a_window()) {
    kill(pid, SIGKILL);  // not left soaking for a minute
    waitpid(pid, nullptr, 0);
    close(terminal);
    FAIL() << "no soak window shown: " << shown;
  }
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(pid, SIGINT), 0);
  // What it prints on the way out is read on, or a full terminal would
  // block its last writes; past 30 s it is killed (a hang, not a stop).
  int status = 0;
  pid_t ended = 0;
  const auto kill_at = t0 + std::chrono::seconds(30);
  while ((ended = waitpid(pid, &status, WNOHANG)) == 0) {
    if (std::chrono::steady_clock::now() > kill_at) {
      kill(pid, SIGKILL);
      ended = waitpid(pid, &status, 0);
      break;
    }
    if (!read_some(terminal, shown))  // the terminal closed: the exit is near
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  close(terminal);
  ASSERT_EQ(ended, pid);
  const double stop_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(WIFEXITED(status)) << shown;
  EXPECT_EQ(WEXITSTATUS(status), 130) << shown;
  EXPECT_LT(stop_s, 5.0) << "a soak must stop soon after Ctrl-C";
  ASSERT_TRUE(fs::exists(out));
  auto j = read_json(out);
  EXPECT_FALSE(j["complete"].get<bool>());
  ASSERT_EQ(j["measurements"].size(), 1u);
  EXPECT_EQ(j["measurements"][0]["status"], "interrupted");
  EXPECT_GE(j["measurements"][0]["series"].size(), 1u);
  EXPECT_TRUE(schema_valid(out));
  fs::remove_all(dir);
}

namespace {
// Starts `flopscope args...` in `cwd` with stdout to /dev/null and stderr to
// `err`; returns its pid.
pid_t start_flopscope(const fs::path& cwd, const fs::path& err, std::vector<std::string> args) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (chdir(cwd.c_str()) != 0) _exit(126);
  freopen("/dev/null", "w", stdout);
  freopen(err.c_str(), "w", stderr);
  std::vector<char*> argv{const_cast<char*>(FLOPSCOPE_BINARY)};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(FLOPSCOPE_BINARY, argv.data());
  _exit(127);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Whether process `pid` has a handler for SIGINT (bit 2 of SigCgt).
bool catches_sigint(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("SigCgt:", 0) == 0)
      return (std::stoull(line.substr(7), nullptr, 16) >> (SIGINT - 1)) & 1;
  return false;
}
}  // namespace

// Ctrl-C as soon as the run takes it, while devices are still being
// detected and the pre-flight runs (well before any kernel): still exit 130
// and a valid file marked incomplete, with nothing measured.
TEST(CliSoak, SigintBeforeTheFirstKernelStillWritesTheResult) {
  auto dir = soak_scratch("early-sigint");
  auto out = dir / "early.json";
  const pid_t pid =
      start_flopscope(dir, dir / "err",
                      {"run", "--devices", "cpu0", "--kernels", "peak", "--precisions", "fp64",
                       "--duration", "60s", "--quiet", "--output", out.string()});
  ASSERT_GT(pid, 0);
  // As soon as SIGINT has a handler (/proc/PID/status SigCgt), which the run
  // installs right after checking its arguments, well before devices are
  // detected: a fixed sleep could land before it on a loaded machine.
  const auto t0 = std::chrono::steady_clock::now();
  while (!catches_sigint(pid) && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(catches_sigint(pid)) << read_text(dir / "err");
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 130) << read_text(dir / "err");
  ASSERT_TRUE(fs::exists(out)) << read_text(dir / "err");
  const auto j = read_json(out);
  EXPECT_FALSE(j["complete"].get<bool>());
  for (const auto& m : j["measurements"]) EXPECT_NE(m["status"], "ok") << m;
  EXPECT_TRUE(schema_valid(out));
  fs::remove_all(dir);
}

// The output folder vanishes during the run (or the disk fills): what was
// measured is kept in a new file NAME.saved-XXXXXX in the working folder,
// the message says where, and the exit code is 2.
TEST(CliSoak, OutputThatCanNoLongerBeWrittenIsSavedBesideAndExitsTwo) {
  auto dir = soak_scratch("saved");
  fs::create_directories(dir / "out");
  fs::create_directories(dir / "work");
  const pid_t pid = start_flopscope(
      dir / "work", dir / "err",
      {"run", "--devices", "cpu0", "--kernels", "peak", "--precisions", "fp64", "--duration", "3s",
       "--quiet", "--output", (dir / "out" / "r.json").string()});
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  fs::remove_all(dir / "out");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string err = read_text(dir / "err");
  ASSERT_TRUE(WIFEXITED(status)) << err;
  EXPECT_EQ(WEXITSTATUS(status), 2) << err;
  std::vector<fs::path> saved;
  for (const auto& e : fs::directory_iterator(dir / "work"))
    if (e.path().filename().string().rfind("r.json.saved-", 0) == 0) saved.push_back(e.path());
  ASSERT_EQ(saved.size(), 1u) << err;
  EXPECT_NE(err.find("saved as ./" + saved[0].filename().string() + " instead"), std::string::npos)
      << err;
  auto j = read_json(saved[0]);
  EXPECT_TRUE(j["complete"].get<bool>());
  ASSERT_EQ(j["measurements"].size(), 1u);
  EXPECT_TRUE(j["measurements"][0]["verified"].get<bool>());
  EXPECT_TRUE(schema_valid(saved[0]));
  fs::remove_all(dir);
}

TEST(CliSoak, ConcurrentReportsEachDeviceAndTheNodeTotal) {
  auto dir = soak_scratch("conc");
  auto out = dir / "conc.json";
  auto r = flopscope(
      "run --concurrent --kernels peak --precisions fp64 --duration 2s --quiet "
      "--output " +
      out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("Concurrent: every device at once"), std::string::npos) << r.out;
  auto j = read_json(out);
  EXPECT_TRUE(j["concurrent"]["node_total_per_class"]["supercomputing"].is_number())
      << j["concurrent"];
  EXPECT_EQ(j["concurrent"]["slowest"]["supercomputing"]["device"], "cpu0");
  EXPECT_TRUE(j["settings"]["host_placement"].contains("cpu_kernel_pus"));
  EXPECT_TRUE(schema_valid(out));
  fs::remove_all(dir);
}

// A peak run whose figure certify may judge against the measured-clock peak.
// Beside another test (ctest -j2) the clock probe and the FMA chains get
// different shares of a time-sliced core, so a 10 ms chain can read above
// 101% of the probed clock's peak: flagged, and rightly refused as evidence
// for a fraction of that peak (test_certify covers the refusal). The
// command-line test below is about the command, not that luck: a run that
// came out flagged has its flags taken off, so the test never depends on
// the machine giving an unflagged figure.
fs::path peak_run_unflagged(const fs::path& dir, const std::string& name) {
  const auto out = peak_run(dir, name);
  auto j = read_json(out);
  bool cleared = false;
  for (auto& m : j["measurements"])
    if (m.contains("flags") && !m["flags"].empty()) {
      m["flags"] = nlohmann::json::array();
      cleared = true;
    }
  if (cleared) write_text(out, j.dump(1));
  return out;
}

// A CPU burst figure records the brief clock probe taken right before each
// of its repetitions, and is set against their median with the one after.
TEST(CliRun, CpuFigureRecordsItsClockProbes) {
  auto dir = soak_scratch("probes");
  const auto j = read_json(peak_run(dir, "run.json"));
  ASSERT_EQ(j["measurements"].size(), 1u);
  const auto& m = j["measurements"][0];
  ASSERT_TRUE(m.contains("clock_probes_hz")) << m;
  std::vector<double> clocks = m["clock_probes_hz"].get<std::vector<double>>();
  EXPECT_EQ(clocks.size(), m["repetitions"].get<size_t>());  // kTiny: 2
  clocks.push_back(m["clock_after_hz"].get<double>());
  const double clock = m["clock_hz"].get<double>();
  EXPECT_GE(clock, *std::min_element(clocks.begin(), clocks.end()));
  EXPECT_LE(clock, *std::max_element(clocks.begin(), clocks.end()));
  EXPECT_TRUE(schema_valid(dir / "run.json"));
  fs::remove_all(dir);
}

// The reference schema and the parser agree: every shipped reference is
// valid, and so is a stream minimum in B/s; one in FLOP/s is refused by both.
TEST(CliCertify, ReferenceSchemaAgreesWithTheParser) {
  const fs::path schema = fs::path(FLOPSCOPE_SCHEMA).parent_path() / "reference-1.schema.json";
  auto valid = [&](const fs::path& p) {
    const std::string cmd = std::string("python3 ") + FLOPSCOPE_VALIDATOR + " " + schema.string() +
                            " " + p.string() + " 2>&1";
    return WEXITSTATUS(std::system(cmd.c_str())) == 0;
  };
  int shipped = 0;
  for (const auto& e : fs::directory_iterator(schema.parent_path().parent_path() / "references"))
    if (e.path().extension() == ".json") {
      EXPECT_TRUE(valid(e.path())) << e.path();
      ++shipped;
    }
  EXPECT_GE(shipped, 3);
  auto dir = scratch();
  auto ref = [&](const std::string& name, const std::string& minimum) {
    const fs::path p = dir / name;
    std::ofstream(p) << R"({"schema_version": "1.0.0", "kind": "flopscope-reference", "name": "t",)"
                     << R"( "devices": [{"match": {"kind": "cpu"}, "minimums": [)" << minimum
                     << "]}]}";
    return p;
  };
  const auto bandwidth =
      ref("bw.json", R"({"kernel": "stream", "precision": "fp64", "bytes_per_second": 1e10})");
  const auto flops =
      ref("flops.json", R"({"kernel": "stream", "precision": "fp64", "flops": 1e9})");
  const auto gemm_bytes =
      ref("gemm.json", R"({"kernel": "gemm", "precision": "fp64", "bytes_per_second": 1e9})");
  EXPECT_TRUE(valid(bandwidth));
  EXPECT_FALSE(valid(flops));
  EXPECT_FALSE(valid(gemm_bytes));
  const auto run = peak_run(dir, "run.json");
  EXPECT_NE(flopscope("certify " + run.string() + " --reference " + bandwidth.string()).code, 2);
  EXPECT_EQ(flopscope("certify " + run.string() + " --reference " + flops.string()).code, 2);
  EXPECT_EQ(flopscope("certify " + run.string() + " --reference " + gemm_bytes.string()).code, 2);
  fs::remove_all(dir);
}

TEST(CliCertify, MeetsMissesAndMalformed) {
  auto dir = soak_scratch("certify");
  auto run = peak_run_unflagged(dir, "run.json");
  auto meets = dir / "meets.json", misses = dir / "misses.json", bad = dir / "bad.json";
  // 1% of the peak: the sanitize preset's chains (-O1, instrumented) reach
  // about 5% of it, less beside other tests.
  write_text(meets, std::string(kRefStart) +
                        R"(   "minimums": [{"kernel": "peak", "precision": "fp64", "flops": 1e6},
                {"kernel": "peak", "precision": "fp64", "fraction_of_peak": 0.01, "peak": "clock"}]}]})");
  write_text(misses,
             std::string(kRefStart) +
                 R"(   "minimums": [{"kernel": "peak", "precision": "fp64", "flops": 1e15}]}]})");
  write_text(bad, std::string(kRefStart) +
                      "   \"minimums\": [{\"kernel\": \"peak\", \"precision\": \"fp64\",\n"
                      "                 \"flops\": \"fast\"}]}]}");
  auto r = flopscope("certify " + run.string() + " --reference " + meets.string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("certify: PASS"), std::string::npos) << r.out;
  r = flopscope("certify " + run.string() + " --reference " + misses.string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpu0 peak fp64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 PFLOP/s"), std::string::npos) << r.out;
  r = flopscope("certify " + run.string() + " --reference " + bad.string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(count_lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("bad.json: line 4: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("devices[0].minimums[0].flops"), std::string::npos) << r.out;
  r = flopscope("certify " + (dir / "absent.json").string() + " --reference " + meets.string());
  EXPECT_EQ(r.code, 2) << r.out;
  // run --reference: measure and certify in one go.
  r = flopscope("run --devices cpu0 --kernels peak --precisions fp64 --quiet --output " +
                (dir / "both.json").string() + " --reference " + misses.string() + kTiny);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(fs::exists(dir / "both.json"));
  fs::remove_all(dir);
}

TEST(CliCompare, SideBySideAndRefusesUnknownSchema) {
  auto dir = soak_scratch("compare");
  auto a = peak_run(dir, "a.json");
  auto b = peak_run(dir, "b.json");
  auto r = flopscope("compare " + a.string() + " " + b.string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("B/A"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpu0"), std::string::npos) << r.out;
  auto j = read_json(b);
  j["schema_version"] = "2.0.0";
  write_text(dir / "future.json", j.dump());
  r = flopscope("compare " + a.string() + " " + (dir / "future.json").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(count_lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("schema version 2.0.0"), std::string::npos) << r.out;
  r = flopscope("compare " + a.string());
  EXPECT_EQ(r.code, 2) << r.out;
  fs::remove_all(dir);
}

TEST(CliReport, WritesOneSelfContainedPageAndRefusesBadInput) {
  auto dir = soak_scratch("report");
  auto a = peak_run(dir, "a.json");
  auto r = flopscope("report " + a.string());
  EXPECT_EQ(r.code, 0) << r.out;
  const fs::path html = dir / "a.html";  // the result's name, .html
  EXPECT_NE(r.out.find("report: " + html.string()), std::string::npos) << r.out;
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<h2>Measurements</h2>"), std::string::npos);
  EXPECT_NE(page.find("cpu0"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);

  r = flopscope("report " + a.string() + " --output " + (dir / "named.html").string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "named.html"));
  // Bad input: one line, exit 2, nothing written.
  for (const std::string& args : {"report " + (dir / "missing.json").string(),
                                  "report " + a.string() + " --output " + a.string(),
                                  "report " + a.string() + " --output " + dir.string()}) {
    r = flopscope(args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_EQ(count_lines(r.out), 1) << args << ": " << r.out;
  }
  EXPECT_FALSE(fs::exists(dir / "missing.html"));
  EXPECT_EQ(read_json(a)["schema_version"].get<std::string>().substr(0, 2), "1.");  // intact
  write_text(dir / "bad.json", "{\"schema_version\": ");
  r = flopscope("report " + (dir / "bad.json").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_FALSE(fs::exists(dir / "bad.html"));
  fs::remove_all(dir);
}

TEST(CliMerge, MissingRankIsNamedAndExitsThree) {
  auto dir = soak_scratch("merge");
  auto run = peak_run(dir, "run.json");
  auto j = read_json(run);
  j["rank"] = {{"rank", 0},       {"size", 2},       {"local_rank", 0}, {"local_size", 1},
               {"node_index", 0}, {"hostname", "a"}, {"status", "done"}};
  write_text(dir / "run.rank0.json", j.dump());
  auto merged = dir / "rack.json";
  auto r = flopscope("merge " + (dir / "run.rank0.json").string() + " --output " + merged.string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("missing rank 1"), std::string::npos) << r.out;
  auto m = read_json(merged);
  EXPECT_EQ(m["rack"]["missing_ranks"], nlohmann::json::array({1}));
  EXPECT_EQ(m["devices"][0]["id"], "node0/cpu0");
  EXPECT_TRUE(schema_valid(merged));
  // The second rank's file completes the rack: exit 0.
  j["rank"]["rank"] = 1;
  j["rank"]["hostname"] = "b";
  j["rank"]["node_index"] = 1;
  write_text(dir / "run.rank1.json", j.dump());
  r = flopscope("merge " + (dir / "run.rank0.json").string() + " " +
                (dir / "run.rank1.json").string() + " --output " + merged.string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(read_json(merged)["nodes"].size(), 2u);
  r = flopscope("merge " + run.string() + " --output " + merged.string());
  EXPECT_EQ(r.code, 2) << r.out;  // not a rank's file
  fs::remove_all(dir);
}
