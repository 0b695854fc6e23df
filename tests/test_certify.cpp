// certify, compare and merge on result documents made in the test: the
// reference file's checks (with line and field for malformed ones), minimums
// absolute and as fractions of a peak, peers, soaks that dropped, schema
// versions, and joining rank files with a missing or dead rank.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>
#include <tuple>

#include "harness/certify.h"
#include "harness/compare.h"
#include "harness/efficiency.h"
#include "harness/errors.h"
#include "harness/json_file.h"
#include "harness/merge.h"
#include "harness/reference.h"
#include "harness/result_document.h"
#include "harness/sustained_engine.h"

using namespace flopscope;
using nlohmann::json;

namespace {

json device(const std::string& id, const std::string& name, double fp64_peak,
            std::optional<double> spec_fp64 = std::nullopt) {
  json d = {{"id", id},
            {"kind", id.find("cuda") != std::string::npos ? "cuda" : "cpu"},
            {"name", name},
            {"identity", {{"pci_bus_id", ""}, {"uuid", ""}, {"serial", ""}}},
            {"peaks", {{"fp64", {{"flops", fp64_peak}, {"derivation", "test"}}}}},
            {"details", json::object()}};
  if (spec_fp64) d["spec_peaks"] = {{"fp64", {{"flops", *spec_fp64}, {"derivation", "test"}}}};
  return d;
}

json measurement(const std::string& dev, double flops, const std::string& status = "ok",
                 const std::string& kernel = "peak", double cv = 0.01) {
  return {{"device", dev},
          {"kernel", kernel},
          {"precision", "fp64"},
          {"size", {{"n", 1}}},
          {"status", status},
          {"median_flops", flops},
          {"best_flops", flops},
          {"cv", cv},
          {"verified", status == "ok"},
          {"unit", "FLOP/s"},
          {"message", "checked"},
          {"mode", "burst"}};
}

// A result document: devices with figures for peak fp64, the class summary
// from the valid ones.
json run_doc(const std::vector<json>& devices, const std::vector<json>& ms, bool complete = true) {
  json per = json::object();
  double total = 0;
  for (const auto& m : ms)
    if (m["status"] == "ok") {
      per[m["device"].get<std::string>()] = m["median_flops"];
      total += m["median_flops"].get<double>();
    }
  json cls = {{"flops", total}, {"per_device", per}, {"kernel", "peak"}, {"precision", "fp64"}};
  json empty = {{"flops", nullptr},
                {"per_device", json::object()},
                {"kernel", nullptr},
                {"precision", nullptr}};
  return {{"schema_version", kSchemaVersion},
          {"tool", {{"name", "flopscope"}, {"version", "test"}, {"git_commit", "x"}}},
          {"command_line", {"flopscope", "run"}},
          {"started_at", "2026-01-01T00:00:00Z"},
          {"complete", complete},
          {"seed", 1},
          {"environment", json::object()},
          {"host", {{"hostname", "h"}, {"os", "test"}}},
          {"topology", nullptr},
          {"devices", devices},
          {"measurements", ms},
          {"classes", {{"supercomputing", cls}, {"basic", empty}, {"intelligent", empty}}}};
}

Reference make_ref(const std::string& text) {
  return parse_reference("ref.json", text);
}

const char* kRefHeader =
    R"({"schema_version": "1.0.0", "kind": "flopscope-reference", "name": "t",)";

std::string ref_with_min(const std::string& minimum, const std::string& extra = "") {
  return std::string(kRefHeader) + extra +
         R"("devices": [{"match": {"kind": "cpu"}, "minimums": [)" + minimum + "]}]}";
}

std::string failures_of(const CertifyReport& r) {
  std::ostringstream os;
  for (const auto& c : r.checks)
    if (!c.passed) os << c.device << " | " << c.check << " | " << c.why << "\n";
  return os.str();
}

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Reference, ValidOneParses) {
  auto r = make_ref(std::string(kRefHeader) + R"(
    "peer_tolerance": 0.1, "max_drop": 0.2,
    "devices": [{"match": {"kind": "cuda", "name_contains": "H200"}, "count_per_node": 8,
                 "minimums": [{"kernel": "gemm", "precision": "fp64", "fraction_of_peak": 0.8},
                              {"class": "intelligent", "flops": 5e14}]}],
    "nodes": {"minimums": [{"class": "supercomputing", "flops": 3e14}]}})");
  EXPECT_DOUBLE_EQ(r.peer_tolerance, 0.1);
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_EQ(r.devices[0].label, "*H200*");
  EXPECT_EQ(*r.devices[0].count_per_node, 8);
  EXPECT_TRUE(r.devices[0].minimums[0].spec_peak);
  EXPECT_EQ(r.devices[0].minimums[1].what(), "class intelligent");
  EXPECT_EQ(r.node_minimums.size(), 1u);
}

// Every reference the project ships loads: a typo in one would only show
// when an operator certified against it.
TEST(Reference, EveryShippedReferenceLoads) {
  const std::filesystem::path dir =
      std::filesystem::path(FLOPSCOPE_TEST_FIXTURES) / ".." / ".." / "results" / "references";
  int loaded = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    const Reference r = load_reference(e.path().string());
    EXPECT_FALSE(r.devices.empty()) << e.path();
    ++loaded;
  }
  EXPECT_GE(loaded, 3);  // dev-zen3-2core, dev-zen5-2core, template-8x-h200-sxm
}

TEST(Reference, MalformedNamesLineAndField) {
  // Not JSON: the line where the parser gave up.
  auto e = what_of([] { make_ref("{\n  \"name\": \"x\",\n  oops\n}"); });
  EXPECT_NE(e.find("ref.json: line 3"), std::string::npos) << e;
  // A bad value: its line and its field.
  e = what_of([] {
    make_ref(std::string(kRefHeader) +
             "\n\"devices\": [\n {\"match\": {\"kind\": \"cpu\"},\n"
             "  \"minimums\": [\n   {\"kernel\": \"peak\", \"precision\": "
             "\"fp64\",\n    \"flops\": -5}]}]}");
  });
  EXPECT_NE(e.find("line 6"), std::string::npos) << e;
  EXPECT_NE(e.find("devices[0].minimums[0].flops"), std::string::npos) << e;
  // A misspelt field is refused, not ignored.
  e = what_of(
      [] { make_ref(ref_with_min(R"({"kernel": "peak", "precision": "fp64", "flop": 1})")); });
  EXPECT_NE(e.find("devices[0].minimums[0].flop: unknown field"), std::string::npos) << e;
  e = what_of(
      [] { make_ref(ref_with_min(R"({"kernel": "dgemm", "precision": "fp64", "flops": 1})")); });
  EXPECT_NE(e.find("devices[0].minimums[0].kernel: unknown kernel"), std::string::npos) << e;
  e = what_of([] { make_ref(ref_with_min(R"({"kernel": "peak", "flops": 1})")); });
  EXPECT_NE(e.find("minimums[0].precision: is required"), std::string::npos) << e;
  e = what_of([] { make_ref(ref_with_min(R"({"class": "basic"})")); });
  EXPECT_NE(e.find("minimums[0].flops: is required"), std::string::npos) << e;
  // Stream copy's minimum is a bandwidth, and only its minimum is.
  e = what_of(
      [] { make_ref(ref_with_min(R"({"kernel": "stream", "precision": "fp64", "flops": 1e9})")); });
  EXPECT_NE(e.find("minimums[0].flops: stream is a bandwidth test"), std::string::npos) << e;
  e = what_of([] { make_ref(ref_with_min(R"({"kernel": "stream", "precision": "fp64"})")); });
  EXPECT_NE(e.find("minimums[0].bytes_per_second: is required for kernel stream"),
            std::string::npos)
      << e;
  e = what_of([] {
    make_ref(ref_with_min(R"({"kernel": "gemm", "precision": "fp64", "bytes_per_second": 1e9})"));
  });
  EXPECT_NE(e.find("minimums[0].bytes_per_second: only applies to kernel stream"),
            std::string::npos)
      << e;
  e = what_of([] {
    make_ref(
        R"({"schema_version": "2.0.0", "kind": "flopscope-reference", "name": "t", "devices": []})");
  });
  EXPECT_NE(e.find("schema_version"), std::string::npos) << e;
  // 2^32 + 1 must not wrap to a count of 1.
  e = what_of([] {
    make_ref(std::string(kRefHeader) +
             "\n\"devices\": [{\"match\": {\"kind\": \"cpu\"}, \"count_per_node\": 4294967297,"
             " \"minimums\": []}]}");
  });
  EXPECT_NE(e.find("count_per_node: must be a whole number"), std::string::npos) << e;
  e = what_of([] { load_reference("/nonexistent/ref.json"); });
  EXPECT_NE(e.find("/nonexistent/ref.json: cannot read"), std::string::npos) << e;
}

// Too deep to walk recursively, numbers beyond double, fields of the wrong
// type: each is bad input (UsageError, exit 2) that names the file.
TEST(JsonFile, DepthOverflowAndTypeErrorsAreBadInput) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THROW(parse_json_text("deep.json", deep), UsageError);
  EXPECT_THROW(parse_reference("deep.json", deep), UsageError);
  EXPECT_NO_THROW(parse_json_text("ok.json", std::string(64, '[') + std::string(64, ']')));
  // Brackets inside strings are not nesting.
  EXPECT_NO_THROW(parse_json_text("s.json", "{\"a\": \"" + std::string(1000, '[') + "\"}"));
  try {
    parse_json_text("big.json", "{\"x\": 1e999}");
    ADD_FAILURE() << "1e999 parsed";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("big.json"), std::string::npos) << e.what();
  }
  const json doc = {{"complete", nullptr}};
  try {
    consume_document("run.json", [&] { return doc.value("complete", false); });
    ADD_FAILURE() << "a null flag read as a bool";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("run.json: a field has the wrong type"), std::string::npos)
        << e.what();
  }
}

TEST(JsonLines, PointersMapToLines) {
  auto lines = json_value_lines("{\n \"a\": [\n  1,\n  {\"b/c\": 2}\n ],\n \"d\": \"x\"\n}");
  EXPECT_EQ(lines[""], 1);
  EXPECT_EQ(lines["/a"], 2);
  EXPECT_EQ(lines["/a/0"], 3);
  EXPECT_EQ(lines["/a/1/b~1c"], 4);
  EXPECT_EQ(lines["/d"], 6);
  EXPECT_EQ(line_of(lines, "/a/1/missing"), 4);
}

TEST(Certify, PassesAboveAndFailsBelowTheMinimum) {
  auto doc = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50e9)});
  auto pass = certify(
      doc, make_ref(ref_with_min(R"({"kernel": "peak", "precision": "fp64", "flops": 40e9})")));
  EXPECT_TRUE(pass.passed()) << failures_of(pass);
  // Against the peak at the measured clock: 50/60 = 83%.
  pass = certify(
      doc,
      make_ref(ref_with_min(
          R"({"kernel": "peak", "precision": "fp64", "fraction_of_peak": 0.8, "peak": "clock"})")));
  EXPECT_TRUE(pass.passed()) << failures_of(pass);
  // A minimum above the device's peak: fails, naming device and figure.
  auto fail = certify(
      doc, make_ref(ref_with_min(R"({"kernel": "peak", "precision": "fp64", "flops": 70e9})")));
  EXPECT_FALSE(fail.passed());
  EXPECT_EQ(fail.failures(), 1);
  const auto& c =
      *std::find_if(fail.checks.begin(), fail.checks.end(), [](auto& x) { return !x.passed; });
  EXPECT_EQ(c.device, "cpu0");
  EXPECT_EQ(c.figure, "50 GFLOP/s");
  EXPECT_NE(c.required.find("70 GFLOP/s"), std::string::npos) << c.required;
  std::ostringstream table;
  print_certify_report(
      table, fail, "run.json",
      make_ref(ref_with_min(R"({"kernel": "peak", "precision": "fp64", "flops": 70e9})")));
  EXPECT_NE(table.str().find("FAIL: 1 of"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("cpu0 peak fp64"), std::string::npos) << table.str();
  // Every row's result starts in the header's "result" column, whatever the
  // lengths of the cells before it.
  std::istringstream lines(table.str());
  size_t result_at = std::string::npos;
  int rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("device ", 0) == 0) result_at = line.rfind("result");
    if (line.size() < 4 || (line.compare(line.size() - 4, 4, "pass") != 0 &&
                            line.compare(line.size() - 4, 4, "FAIL") != 0))
      continue;
    EXPECT_EQ(line.size() - 4, result_at) << table.str();
    ++rows;
  }
  EXPECT_EQ(rows, static_cast<int>(fail.checks.size())) << table.str();
}

// Stream is certified on its bandwidth: copy's FLOP/s are 0 everywhere, so
// a minimum in FLOP/s could never pass, and triad counts by its B/s, never
// by its FLOP/s. Peers are compared in B/s as well.
TEST(Certify, StreamMinimumIsABandwidth) {
  auto stream = [](const std::string& dev, const std::string& variant, double flops, double bps) {
    json m = measurement(dev, flops, "ok", "stream");
    m["size"] = {{"variant", variant}, {"elements", 1024}};
    m["flop_per_iteration"] = flops > 0 ? 2048 : 0;
    m["bytes_per_iteration"] = 16384;
    m["median_bytes_per_second"] = bps;
    return m;
  };
  // cpu1 ran triad only: its 28 GB/s (2.3 GFLOP/s) is its figure.
  auto doc = run_doc({device("cpu0", "EPYC", 60e9), device("cpu1", "EPYC", 60e9)},
                     {stream("cpu0", "copy", 0, 30e9), stream("cpu0", "triad", 2.5e9, 26e9),
                      stream("cpu1", "triad", 2.3e9, 28e9)});
  const auto ref = make_ref(
      ref_with_min(R"({"kernel": "stream", "precision": "fp64", "bytes_per_second": 25e9})"));
  auto pass = certify(doc, ref);
  EXPECT_TRUE(pass.passed()) << failures_of(pass);
  std::map<std::string, std::string> figures;  // "device check" -> figure
  for (const auto& c : pass.checks) figures[c.device + " " + c.check] = c.figure;
  EXPECT_EQ(figures["cpu0 stream fp64 copy (burst median)"], "30 GB/s");
  EXPECT_EQ(figures["cpu1 stream fp64 triad (burst median)"], "28 GB/s");
  EXPECT_EQ(figures["cpu1 peers stream fp64"], "28 GB/s");

  auto fail =
      certify(doc, make_ref(ref_with_min(
                       R"({"kernel": "stream", "precision": "fp64", "bytes_per_second": 29e9})")));
  ASSERT_EQ(fail.failures(), 1) << failures_of(fail);
  const auto& c =
      *std::find_if(fail.checks.begin(), fail.checks.end(), [](auto& x) { return !x.passed; });
  EXPECT_EQ(c.device, "cpu1");
  EXPECT_EQ(c.figure, "28 GB/s");
  EXPECT_NE(c.required.find(">= 29 GB/s"), std::string::npos) << c.required;
}

// Long cells are printed whole and push their column out, so the next
// columns still line up: a CPU model of 42 characters used to be cut to 26,
// and a class check of 48 ran into the figure.
TEST(Certify, LongCellsAreWholeAndColumnsStillLineUp) {
  CertifyReport rep;
  CertifyCheck a;
  a.device = "cpu0";
  a.identity = "Oxide Virtual Turin-like Processor (Zen 5)";
  a.check = "class supercomputing: gemm fp64 (burst median)";
  a.figure = "170.6 GFLOP/s";
  a.required = ">= 100 GFLOP/s";
  a.passed = true;
  CertifyCheck b = a;
  b.device = "node17/cuda:5";
  b.identity = "GPU-1";
  b.check = "peak fp64";
  b.figure = "1.5 TOP/s";
  rep.checks = {a, b};
  std::ostringstream os;
  print_certify_report(
      os, rep, "run.json",
      make_ref(ref_with_min(R"({"kernel": "peak", "precision": "fp64", "flops": 1})")));
  const std::string t = os.str();
  EXPECT_NE(t.find(a.identity + " " + a.check), std::string::npos) << t;
  std::istringstream lines(t);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("device ", 0) == 0 || line.rfind("cpu0 ", 0) == 0 ||
        line.rfind("node17", 0) == 0)
      rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << t;
  const size_t figure_end = rows[0].find("figure") + 6, result = rows[0].rfind("result");
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].rfind("pass"), result) << t;
    EXPECT_EQ(rows[i].compare(figure_end - 1, 1, "s"), 0) << t;  // "GFLOP/s", "TOP/s" end there
  }
}

TEST(Certify, FailsWhatIsNotMeasuredVerifiedOrComplete) {
  auto r = make_ref(ref_with_min(R"({"kernel": "gemm", "precision": "fp64", "flops": 1e9})"));
  auto doc = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50e9)});
  EXPECT_NE(failures_of(certify(doc, r)).find("not measured"), std::string::npos);
  doc =
      run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50e9, "not_verified", "gemm")});
  EXPECT_NE(failures_of(certify(doc, r)).find("not_verified"), std::string::npos);
  // A file edited to say "ok" without a passed check is no better.
  doc = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50e9, "ok", "gemm")});
  doc["measurements"][0]["verified"] = false;
  const std::string edited = failures_of(certify(doc, r));
  EXPECT_NE(edited.find("not valid: not_verified"), std::string::npos) << edited;
  EXPECT_NE(edited.find("gemm fp64 verified"), std::string::npos) << edited;
  doc = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50e9, "ok", "gemm")}, false);
  EXPECT_NE(failures_of(certify(doc, r)).find("run | complete"), std::string::npos);
  // A fraction of the spec peak with no spec clock known: fails with the reason.
  doc = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50e9)});
  auto f = failures_of(
      certify(doc, make_ref(ref_with_min(
                       R"({"kernel": "peak", "precision": "fp64", "fraction_of_peak": 0.5})"))));
  EXPECT_NE(f.find("no spec peak known"), std::string::npos) << f;
  // No device matches a rule.
  f = failures_of(certify(
      doc,
      make_ref(
          std::string(kRefHeader) +
          R"("devices": [{"match": {"kind": "cuda"}, "minimums": [{"class": "basic", "flops": 1}]}]})")));
  EXPECT_NE(f.find("no device in the run matches"), std::string::npos) << f;
}

TEST(Certify, PeerToleranceFailsTheSlowCardAndCountsPerNode) {
  std::vector<json> devs, ms;
  const double figures[] = {100e12, 101e12, 99e12, 80e12};
  for (int i = 0; i < 4; ++i) {
    const std::string id = "node0/cuda:" + std::to_string(i);
    devs.push_back(device(id, "H200", 120e12, 67e12 * 2));
    devs.back()["identity"]["pci_bus_id"] = "0000:1" + std::to_string(i) + ":00.0";
    ms.push_back(measurement(id, figures[i], "ok", "gemm"));
  }
  auto doc = run_doc(devs, ms);
  auto r = make_ref(std::string(kRefHeader) + R"("peer_tolerance": 0.05,
    "devices": [{"match": {"name": "H200"}, "count_per_node": 8,
                 "minimums": [{"kernel": "gemm", "precision": "fp64", "flops": 50e12}]}]})");
  auto rep = certify(doc, r);
  auto f = failures_of(rep);
  EXPECT_NE(f.find("node0/cuda:3 | peers gemm fp64"), std::string::npos) << f;
  EXPECT_EQ(f.find("node0/cuda:2 | peers"), std::string::npos) << f;
  EXPECT_NE(f.find("node0 | count of H200 | found 4 of 8"), std::string::npos) << f;
  // The failing card is named by its physical identity, not only its index.
  for (const auto& c : rep.checks) {
    if (c.device == "node0/cuda:3") {
      EXPECT_EQ(c.identity, "0000:13:00.0");
    }
  }
  // In a rack result the node is named by its host too, so an operator of a
  // 32-node job need not look up which machine node17 is.
  doc["nodes"] = {{{"node", "node0"}, {"hostname", "gpu-r3-17"}}};
  std::ostringstream printed;
  print_certify_report(printed, certify(doc, r), "rack.json", r);
  EXPECT_NE(printed.str().find("node0/cuda:3 (gpu-r3-17) peers gemm fp64"), std::string::npos)
      << printed.str();
  EXPECT_NE(printed.str().find("    on gpu-r3-17: 19.6% below the median"), std::string::npos)
      << printed.str();
  // Fraction of the spec peak: 134 TFLOP/s x 0.7 = 93.8: cuda:3 fails.
  r = make_ref(std::string(kRefHeader) + R"("peer_tolerance": 0,
    "devices": [{"match": {"name": "H200"},
                 "minimums": [{"kernel": "gemm", "precision": "fp64", "fraction_of_peak": 0.7}]}]})");
  rep = certify(doc, r);
  EXPECT_EQ(rep.failures(), 1) << failures_of(rep);
}

// A figure the run itself doubted (a flag, or a burst's wide spread) fails a
// minimum as any low figure does, and the failure says why it may be the run
// and not the device: the operator reruns before pulling a card.
TEST(Certify, AFailureNamesWhatTheRunDoubtedAboutTheFigure) {
  json flagged = measurement("cpu0", 50e9);
  flagged["flags"] = {"FMA throughput on its cores right after the series was 50% of the peak"};
  auto doc = run_doc({device("cpu0", "EPYC", 60e9)}, {flagged});
  const auto ref =
      make_ref(ref_with_min(R"({"kernel": "peak", "precision": "fp64", "flops": 70e9})"));
  std::string f = failures_of(certify(doc, ref));
  EXPECT_NE(f.find("below the minimum by 28.6% (cpu); the run doubted this figure: FMA throughput "
                   "on its cores right after the series was 50% of the peak; rerun on a quiet "
                   "machine before blaming the device\n"),
            std::string::npos)
      << f;
  // A flag above a peak says the peak is wrong, not the run: not a doubt.
  flagged["flags"] = {above_peak_flag("spec", 1.3)};
  f = failures_of(certify(run_doc({device("cpu0", "EPYC", 60e9)}, {flagged}), ref));
  EXPECT_NE(f.find("below the minimum by 28.6% (cpu)\n"), std::string::npos) << f;

  // Peers: the slow card's figure was noisy; the others' were not.
  std::vector<json> devs, ms;
  const double figures[] = {100e12, 101e12, 80e12};
  for (int i = 0; i < 3; ++i) {
    const std::string id = "cuda:" + std::to_string(i);
    devs.push_back(device(id, "H200", 120e12));
    ms.push_back(measurement(id, figures[i], "ok", "gemm", i == 2 ? 0.081 : 0.01));
  }
  f = failures_of(
      certify(run_doc(devs, ms), make_ref(std::string(kRefHeader) + R"("peer_tolerance": 0.05,
    "devices": [{"match": {"name": "H200"},
                 "minimums": [{"kernel": "gemm", "precision": "fp64", "flops": 50e12}]}]})")));
  EXPECT_NE(f.find("cuda:2 | peers gemm fp64 | 20.0% below the median of 3 H200 (100 TFLOP/s); "
                   "the run doubted this figure: noisy: cv 8.1% over its repetitions; rerun on a "
                   "quiet machine before blaming the device\n"),
            std::string::npos)
      << f;
  EXPECT_EQ(f.find("cuda:0"), std::string::npos) << f;
}

// The acceptance path: a soak with simulated thermal throttling and an
// injected slowdown reports the drop, attributes it, and certify fails it.
namespace {
class SleepRun final : public KernelRun {
 public:
  std::string implementation() const override { return "sleep"; }
  double flop_per_iteration() const override { return 1e9; }
  double bytes_per_iteration() const override { return 0; }
  // Reports its own device time (2 ms per iteration), like a GPU event
  // timer, so the figures do not depend on the machine's load.
  double run(int64_t n) override {
    std::this_thread::sleep_for(std::chrono::duration<double>(0.002 * static_cast<double>(n)));
    return 0.002 * static_cast<double>(n);
  }
  Verification verify() override { return {true, true, 0, 1e-12, "ok"}; }
};
class SleepBackend final : public Backend {
 public:
  std::string kind() const override { return "cpu"; }
  std::vector<Device> devices() override { return {}; }
  std::vector<ProblemSize> default_sizes(const Device&, KernelKind, Precision, bool) override {
    return {};
  }
  ProblemSize size_from_user(const Device&, KernelKind, Precision,
                             const std::vector<int64_t>&) override {
    return {};
  }
  std::unique_ptr<KernelRun> make_run(const Device&, const KernelRequest&, std::string*) override {
    return std::make_unique<SleepRun>();
  }
};
}  // namespace

TEST(Certify, ThrottledSoakReportsDropAttributesItAndFails) {
  SleepBackend b;
  Device d;
  d.id = "cpu0";
  d.kind = "cpu";
  d.name = "simulated";
  PlannedRun pr{&b, d, {KernelKind::peak, Precision::fp64, ProblemSize{{{"n", 1}}}, "", 1}};
  SimulatedSensorSource sensors([](double t) {
    SensorSample s;
    s.clock_hz = t >= 1.0 ? 2.1e9 : 3.0e9;
    s.temperature_c = t >= 1.0 ? 97.0 : 55.0;
    s.throttle = t >= 1.0 ? std::vector<std::string>{kThrottleThermal} : std::vector<std::string>{};
    return s;
  });
  SoakSettings s;
  s.duration_s = 2;
  s.window_s = 0.25;
  s.batch_target_s = 0.02;
  s.stop_requested = [] { return false; };
  s.slowdown_for_test = [](double t) { return t >= 1.0 ? 1.4 : 1.0; };
  RunRecord record;
  record.command_line = {"flopscope", "run", "--duration", "2s"};
  record.devices = {d};
  record.measurements = {run_soak(pr, &sensors, s)};
  const auto& m = record.measurements[0];
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  EXPECT_NEAR(m.soak->drop, 1 - 1 / 1.4, 1e-9);
  EXPECT_EQ(m.soak->attribution["cause"], "thermal");
  json doc = build_result_document(record);
  EXPECT_EQ(doc["measurements"][0]["attribution"]["cause"], "thermal");
  auto r = make_ref(std::string(kRefHeader) + R"("max_drop": 0.1,
    "devices": [{"match": {"kind": "cpu"},
                 "minimums": [{"kernel": "peak", "precision": "fp64", "flops": 1e11}]}]})");
  auto rep = certify(doc, r);
  auto f = failures_of(rep);
  EXPECT_EQ(rep.failures(), 1) << f;
  EXPECT_NE(f.find("cpu0 | peak fp64 drop"), std::string::npos) << f;
  EXPECT_NE(f.find("cause: thermal"), std::string::npos) << f;
}

TEST(Compare, FlagsOnlyDifferencesBeyondTheRunsVariation) {
  EXPECT_FALSE(beyond_variation(1.005, 0, 0));  // under the 1% floor
  EXPECT_TRUE(beyond_variation(1.05, 0.01, 0.01));
  EXPECT_FALSE(beyond_variation(1.05, 0.03, 0.03));  // 2 x 4.2% covers it
  auto a = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50e9, "ok", "peak", 0.01),
                                                    measurement("cpu0", 20e9, "ok", "gemm", 0.01)});
  auto b = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 50.2e9, "ok", "peak", 0.01),
                                                    measurement("cpu0", 10e9, "ok", "gemm", 0.01)});
  std::ostringstream os;
  EXPECT_EQ(print_comparison(os, {{"a.json", a}, {"b.json", b}}), 1);
  EXPECT_NE(os.str().find("0.500 !"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("1.004"), std::string::npos) << os.str();
  EXPECT_EQ(os.str().find(" ?"), std::string::npos) << os.str();
}

// A figure its run flagged (here: taken while the cores' FMA units were
// shared) is still compared, and marked so the reader looks at why.
TEST(Compare, MarksAFigureItsRunFlagged) {
  auto a = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 20e9, "ok", "gemm", 0.01)});
  auto b = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", 10e9, "ok", "gemm", 0.01)});
  b["measurements"][0]["flags"] = {"FMA throughput on its cores right after the series was 50%"};
  std::ostringstream os;
  EXPECT_EQ(print_comparison(os, {{"a.json", a}, {"b.json", b}}), 1);
  EXPECT_NE(os.str().find("10 GFLOP/s ?"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("20 GFLOP/s"), std::string::npos) << os.str();
  EXPECT_EQ(os.str().find("20 GFLOP/s ?"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("'?': the figure is flagged in its run"), std::string::npos) << os.str();
}

// Stream copy does no arithmetic: compared by its bandwidth (B/s), in burst
// runs and in soaks, never as "0 FLOP/s" with no ratio.
TEST(Compare, CopyIsComparedByBandwidth) {
  auto copy = [](double bps, bool soak) {
    json m = measurement("cpu0", 0, "ok", "stream");
    m["size"] = {{"variant", "copy"}, {"elements", 1024}};
    m["flop_per_iteration"] = 0;
    m["bytes_per_iteration"] = 16384;
    m["median_bytes_per_second"] = bps;
    if (soak) {
      m["mode"] = "soak";
      m["steady_flops"] = 0;
      m["steady_bytes_per_second"] = bps;
    }
    return m;
  };
  auto a = run_doc({device("cpu0", "EPYC", 60e9)}, {copy(30e9, false)});
  auto b = run_doc({device("cpu0", "EPYC", 60e9)}, {copy(15e9, true)});
  std::ostringstream os;
  EXPECT_EQ(print_comparison(os, {{"a.json", a}, {"b.json", b}}), 1);
  EXPECT_NE(os.str().find("30 GB/s"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("15 GB/s"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("0.500 !"), std::string::npos) << os.str();
}

TEST(Compare, RefusesUnknownSchemaMajor) {
  auto doc = run_doc({}, {});
  EXPECT_NO_THROW(require_result_schema(doc, "a.json"));
  doc["schema_version"] = "2.0.0";
  auto e = what_of([&] { require_result_schema(doc, "b.json"); });
  EXPECT_NE(e.find("b.json: schema version 2.0.0 is not one this flopscope reads (1.x)"),
            std::string::npos)
      << e;
  e = what_of([] { require_result_schema(json{{"a", 1}}, "c.json"); });
  EXPECT_NE(e.find("not a flopscope result file"), std::string::npos);
}

namespace {
json partial(int rank, int size, const std::string& host, int node, double flops,
             const std::string& status = "done") {
  json doc = run_doc({device("cpu0", "EPYC", 60e9)}, {measurement("cpu0", flops)});
  doc["host"]["hostname"] = host;
  doc["rank"] = {{"rank", rank},       {"size", size},     {"local_rank", 0}, {"local_size", 1},
                 {"node_index", node}, {"hostname", host}, {"status", status}};
  return doc;
}
}  // namespace

TEST(Merge, JoinsRanksIntoNodesWithTotalsAndOutliers) {
  auto out = merge_partials({{"r0.json", partial(0, 3, "a", 0, 50e9)},
                             {"r1.json", partial(1, 3, "b", 1, 52e9)},
                             {"r2.json", partial(2, 3, "c", 2, 30e9)}});
  EXPECT_EQ(out.exit_code, 0) << out.summary;
  EXPECT_TRUE(out.missing_ranks.empty());
  const auto& d = out.doc;
  EXPECT_EQ(d["devices"].size(), 3u);
  EXPECT_EQ(d["devices"][1]["id"], "node1/cpu0");
  EXPECT_EQ(d["measurements"][2]["device"], "node2/cpu0");
  EXPECT_DOUBLE_EQ(d["classes"]["supercomputing"]["flops"].get<double>(), 132e9);
  EXPECT_DOUBLE_EQ(d["rack"]["totals"]["supercomputing"].get<double>(), 132e9);
  EXPECT_EQ(d["nodes"].size(), 3u);
  EXPECT_DOUBLE_EQ(d["nodes"][2]["classes"]["supercomputing"].get<double>(), 30e9);
  EXPECT_TRUE(d["complete"].get<bool>());
  // The slow node and its CPU stand out against the median of their peers.
  bool device_flagged = false, node_flagged = false;
  for (const auto& o : d["rack"]["outliers"]) {
    device_flagged |= o.value("device", "") == "node2/cpu0";
    node_flagged |= o.value("node", "") == "node2";
  }
  EXPECT_TRUE(device_flagged && node_flagged) << d["rack"]["outliers"];
}

// The rack's class fraction of peak comes from each rank's headline
// efficiencies, carried over under the devices' rack ids.
TEST(Merge, RackOfPeakFromEachRanksEfficiencies) {
  auto r0 = partial(0, 2, "a", 0, 50e9), r1 = partial(1, 2, "b", 1, 50e9);
  r0["classes"]["supercomputing"]["per_device_efficiency"] = {
      {"cpu0", {{"clock", 0.5}, {"spec", nullptr}, {"measured_peak", nullptr}}}};
  r1["classes"]["supercomputing"]["per_device_efficiency"] = {
      {"cpu0", {{"clock", 0.25}, {"spec", nullptr}, {"measured_peak", nullptr}}}};
  auto out = merge_partials({{"r0.json", r0}, {"r1.json", r1}});
  ASSERT_EQ(out.exit_code, 0) << out.summary;
  const auto& sc = out.doc["classes"]["supercomputing"];
  EXPECT_DOUBLE_EQ(sc["per_device_efficiency"]["node1/cpu0"]["clock"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(sc["of_peak"]["clock"].get<double>(), 100e9 / (100e9 + 200e9));
  EXPECT_TRUE(sc["of_peak"]["spec"].is_null());
  // A rank file from before 1.2.0 has none: no fraction, not a wrong one.
  r1["classes"]["supercomputing"].erase("per_device_efficiency");
  out = merge_partials({{"r0.json", r0}, {"r1.json", r1}});
  EXPECT_TRUE(out.doc["classes"]["supercomputing"]["of_peak"]["clock"].is_null());
}

// A class without a headline says so as the run's summary does: the
// missing GEMM precision is named when other verified figures stand beside.
TEST(Merge, ClassNoteNamesTheMissingHeadline) {
  auto r0 = partial(0, 2, "a", 0, 50e9), r1 = partial(1, 2, "b", 1, 50e9);
  r1["classes"]["intelligent"]["beside"] = {
      {"cpu0", {{"gemm/int8", {{"flops", 175e9}, {"unit", "OP/s"}}}}}};
  auto out = merge_partials({{"r0.json", r0}, {"r1.json", r1}});
  const auto& c = out.doc["classes"];
  EXPECT_EQ(c["intelligent"]["note"], "no verified FP16/BF16 figure, the class's headline")
      << c["intelligent"];
  EXPECT_TRUE(c["intelligent"]["beside"].contains("node1/cpu0")) << c["intelligent"];
  EXPECT_EQ(c["basic"]["note"], "no verified figure for this class");
  EXPECT_FALSE(c["supercomputing"].contains("note"));
}

TEST(Merge, MissingOrDeadRankIsNamedAndExitsThree) {
  auto out = merge_partials({{"r0.json", partial(0, 2, "a", 0, 50e9, "interrupted")}});
  EXPECT_EQ(out.exit_code, kExitDevice);
  EXPECT_EQ(out.missing_ranks, std::vector<int>{1});
  EXPECT_FALSE(out.doc["complete"].get<bool>());
  EXPECT_EQ(out.doc["rack"]["missing_ranks"], json::array({1}));
  EXPECT_NE(out.summary.find("missing rank 1"), std::string::npos) << out.summary;
  out = merge_partials({{"r0.json", partial(0, 2, "a", 0, 50e9)},
                        {"r1.json", partial(1, 2, "a", 0, 50e9, "running")}});
  EXPECT_EQ(out.exit_code, kExitDevice);
  EXPECT_EQ(out.died_ranks, std::vector<int>{1});
  // Certify fails a rack result with a missing rank.
  auto missing = merge_partials({{"r0.json", partial(0, 2, "a", 0, 50e9)}});
  auto f = failures_of(
      certify(missing.doc,
              make_ref(ref_with_min(R"({"kernel": "peak", "precision": "fp64", "flops": 1e9})"))));
  EXPECT_NE(f.find("ranks missing"), std::string::npos) << f;
}

TEST(Merge, RefusesBadInput) {
  EXPECT_THROW(merge_partials({}), UsageError);
  // A rank file without "tool" or "command_line" merges (those stay null).
  auto bare = partial(0, 1, "a", 0, 1e9);
  bare.erase("tool");
  bare.erase("command_line");
  EXPECT_NO_THROW(merge_partials({{"r0.json", bare}}));
  // A job size past any rack bounds the work merge would do per rank.
  EXPECT_THROW(merge_partials({{"r0.json", partial(0, 2000000, "a", 0, 1)}}), UsageError);
  EXPECT_THROW(merge_partials({{"r0.json", partial(0, 0, "a", 0, 1)}}), UsageError);
  // A field of the wrong type is bad input that names its file and field.
  auto typed = partial(0, 1, "a", 0, 1e9);
  typed["started_at"] = 5;
  try {
    merge_partials({{"r0.json", typed}});
    ADD_FAILURE() << "a numeric started_at merged";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "r0.json: started_at: must be a string");
  }
  // A measurement's figures are checked too, though merge only copies them:
  // the rank file is named, not left for a reader of the rack result.
  for (const auto& [key, value, want] :
       {std::tuple<std::string, json, std::string>{"median_flops", "x", "must be a number"},
        {"verified", "yes", "must be true or false"},
        {"repetitions", 2.5, "must be an integer"},
        {"kernel", 7, "must be one of gemm, fft, stencil, peak, stream"},
        {"status", 5, "must be one of ok, not_verified, unsupported, failed, interrupted, skipped"},
        {"verified", false, "must be true (status is ok)"}}) {
    auto damaged = partial(0, 1, "a", 0, 1e9);
    damaged["measurements"][0]["status"] = "ok";
    damaged["measurements"][0][key] = value;
    try {
      merge_partials({{"r0.json", damaged}});
      ADD_FAILURE() << key << " = " << value << " merged";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()), "r0.json: measurements[0]." + key + ": " + want);
    }
  }
  // With the file's text, the message gives the line.
  auto lined = partial(0, 1, "a", 0, 1e9);
  lined["measurements"][0]["cv"] = "low";
  const std::string text = lined.dump(2);
  try {
    merge_partials({{"r0.json", lined, text}});
    ADD_FAILURE() << "a cv of \"low\" merged";
  } catch (const UsageError& e) {
    const size_t line = 1 + std::count(text.begin(), text.begin() + text.find("\"low\""), '\n');
    EXPECT_EQ(std::string(e.what()),
              "r0.json: line " + std::to_string(line) + ": measurements[0].cv: must be a number");
  }
  auto no_flag = partial(0, 1, "a", 0, 1e9);
  no_flag.erase("complete");
  EXPECT_THROW(merge_partials({{"r0.json", no_flag}}), UsageError);
  EXPECT_THROW(
      merge_partials({{"r0.json", partial(0, 2, "a", 0, 1)}, {"x.json", partial(0, 2, "a", 0, 1)}}),
      UsageError);
  EXPECT_THROW(
      merge_partials({{"r0.json", partial(0, 2, "a", 0, 1)}, {"x.json", partial(1, 3, "a", 0, 1)}}),
      UsageError);
  EXPECT_THROW(merge_partials({{"r.json", run_doc({}, {})}}), UsageError);  // no rank section
  EXPECT_EQ(partial_path("out/run.json", 3), "out/run.rank3.json");
  EXPECT_EQ(partial_path("run.csv", 0), "run.rank0.csv");
  EXPECT_EQ(partial_path("dir.v2/run", 1), "dir.v2/run.rank1.json");
}

// A class is certified on its GEMM: the FMA-chain figure the run's class
// summary lets stand in (run_doc puts it in per_device) never passes a
// class minimum, and the row names the GEMM it used.
TEST(Certify, ClassMinimumCountsGemmNeverTheChains) {
  const auto r = make_ref(ref_with_min(R"({"class": "supercomputing", "flops": 40e9})"));
  auto doc = run_doc({device("cpu0", "EPYC", 100e9)}, {measurement("cpu0", 90e9)});
  ASSERT_TRUE(doc["classes"]["supercomputing"]["per_device"].contains("cpu0"));
  auto rep = certify(doc, r);
  EXPECT_EQ(rep.failures(), 1);
  EXPECT_NE(failures_of(rep).find("no verified GEMM at fp64 (a class is certified on GEMM, never "
                                  "on the FMA chains)"),
            std::string::npos)
      << failures_of(rep);

  doc = run_doc({device("cpu0", "EPYC", 100e9)},
                {measurement("cpu0", 90e9), measurement("cpu0", 70e9, "ok", "gemm")});
  rep = certify(doc, r);
  EXPECT_EQ(rep.failures(), 0) << failures_of(rep);
  bool named = false;
  for (const auto& c : rep.checks)
    named |=
        c.check == "class supercomputing: gemm fp64 (burst median)" && c.figure == "70 GFLOP/s";
  EXPECT_TRUE(named);
}

// A figure above 101% of a peak says the peak table or the clock is wrong:
// it cannot pass a fraction of that peak, but an absolute minimum still
// holds (the rate itself was measured).
TEST(Certify, FlaggedFigureCannotPassAFractionOfItsPeak) {
  auto m = measurement("cpu0", 130e9, "ok", "gemm");
  m["flags"] = {above_peak_flag("measured-clock", 1.3),
                "error counters rose during the soak: [\"ecc\"]"};
  const auto doc = run_doc({device("cpu0", "EPYC", 100e9, 200e9)}, {m});
  auto rep = certify(doc, make_ref(ref_with_min(R"({"kernel": "gemm", "precision": "fp64",
                                                   "fraction_of_peak": 0.8, "peak": "clock"})")));
  EXPECT_EQ(rep.failures(), 1);
  EXPECT_NE(failures_of(rep).find("the figure is flagged (130.0% of the measured-clock peak: above "
                                  "101%"),
            std::string::npos)
      << failures_of(rep);
  // The flag says nothing of the spec peak (200 GFLOP/s): 80% of it holds.
  rep = certify(doc, make_ref(ref_with_min(R"({"kernel": "gemm", "precision": "fp64",
                                              "fraction_of_peak": 0.6})")));
  EXPECT_EQ(rep.failures(), 0) << failures_of(rep);
  rep = certify(doc, make_ref(ref_with_min(R"({"kernel": "gemm", "precision": "fp64",
                                              "flops": 100e9})")));
  EXPECT_EQ(rep.failures(), 0) << failures_of(rep);
}

// Node totals follow the same rules as the devices: with require_soak a
// burst-only device adds nothing, and the failure says which one.
TEST(Certify, NodeTotalsRequireWhatTheDevicesRequire) {
  auto soak = measurement("node0/cuda:0", 60e12, "ok", "gemm");
  soak["mode"] = "soak";
  soak["steady_flops"] = 60e12;
  const auto burst = measurement("node0/cuda:1", 60e12, "ok", "gemm");
  const auto doc =
      run_doc({device("node0/cuda:0", "H200", 67e12), device("node0/cuda:1", "H200", 67e12)},
              {soak, burst});
  const std::string nodes =
      R"("nodes": {"minimums": [{"class": "supercomputing", "flops": 100e12}]},)";
  const std::string devices =
      R"("devices": [{"match": {"kind": "cuda"}, "minimums": [{"class": "supercomputing", "flops": 1}]}]})";
  auto rep = certify(doc, make_ref(std::string(kRefHeader) + nodes + devices));
  EXPECT_EQ(rep.failures(), 0) << failures_of(rep);  // 120 TFLOP/s from both
  rep = certify(doc,
                make_ref(std::string(kRefHeader) + R"("require_soak": true,)" + nodes + devices));
  EXPECT_EQ(rep.failures(), 2);  // cuda:1's own minimum, and the node total
  EXPECT_NE(failures_of(rep).find("counted without node0/cuda:1: only a burst figure"),
            std::string::npos)
      << failures_of(rep);
}

// Procurement compares efficiency as well as figures: each run's class
// figure carries its fraction of the peaks it was judged by, where known.
TEST(Compare, ClassFiguresCarryTheirFractionOfPeak) {
  auto a = run_doc({device("cpu0", "EPYC", 100e9)}, {measurement("cpu0", 80e9, "ok", "gemm")});
  auto b = run_doc({device("cpu0", "Xeon", 100e9)}, {measurement("cpu0", 60e9, "ok", "gemm")});
  a["classes"]["supercomputing"]["kernel"] = b["classes"]["supercomputing"]["kernel"] = "gemm";
  a["classes"]["supercomputing"]["of_peak"] = {{"clock", 0.8}, {"spec", 0.7}};
  b["classes"]["supercomputing"]["of_peak"] = {{"clock", nullptr}, {"spec", 0.55}};
  // A file from before schema 1.2.0: the fraction comes from the measurement
  // behind the class figure.
  auto old = run_doc({device("cpu0", "EPYC", 100e9)}, {measurement("cpu0", 70e9, "ok", "gemm")});
  old["classes"]["supercomputing"]["kernel"] = "gemm";
  old["measurements"][0]["precision"] = "fp64";
  old["measurements"][0]["efficiency"] = {{"clock", 0.7}, {"spec", nullptr}};
  std::ostringstream os;
  print_comparison(os, {{"a.json", a}, {"b.json", b}, {"old.json", old}});
  const std::string out = os.str();
  EXPECT_NE(out.find("70 GFLOP/s 70%"), std::string::npos) << out;
  EXPECT_NE(out.find("80 GFLOP/s 80%"), std::string::npos) << out;
  EXPECT_NE(out.find("60 GFLOP/s 55% spec"), std::string::npos) << out;  // the one it has
  EXPECT_NE(out.find("0.750"), std::string::npos) << out;
}

// Not like for like is said, not hidden: a class figure that is not a GEMM
// is named, its ratio against a GEMM is starred, a soak against a burst is
// starred, and runs made another way (version, mode, --quick) get a note.
TEST(Compare, MarksWhatIsNotLikeForLike) {
  auto a = run_doc({device("cpu0", "EPYC", 100e9)}, {measurement("cpu0", 90e9)});
  auto b = run_doc({device("cpu0", "EPYC", 100e9)}, {measurement("cpu0", 45e9)});
  b["classes"]["supercomputing"]["kernel"] = "gemm";
  b["settings"] = {{"quick", true}};
  b["measurements"][0]["mode"] = "soak";
  b["measurements"][0]["steady_flops"] = 45e9;
  std::ostringstream os;
  print_comparison(os, {{"a.json", a}, {"b.json", b}});
  const std::string out = os.str();
  EXPECT_NE(out.find("90 GFLOP/s (peak)"), std::string::npos) << out;
  EXPECT_EQ(out.find("45 GFLOP/s (gemm)"), std::string::npos) << out;
  EXPECT_NE(out.find("0.500*"), std::string::npos) << out;    // the class row
  EXPECT_NE(out.find("0.500 !*"), std::string::npos) << out;  // the measurement row
  EXPECT_NE(out.find("note: B and A were made differently (flopscope test x, burst, --quick "
                     "against flopscope test x, burst)"),
            std::string::npos)
      << out;
}
