#include "harness/cli/run_command.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <sstream>

#include "devices/topology/topology.h"
#include "harness/atomic_file.h"
#include "harness/benchmark_flags.h"
#include "harness/burst_engine.h"
#include "harness/efficiency.h"
#include "harness/environment.h"
#include "harness/errors.h"
#include "harness/interrupt.h"
#include "harness/reports.h"
#include "harness/result_document.h"
#include "harness/units.h"

namespace flopscope::cli {

namespace {

constexpr uint64_t kDefaultSeed = 20261128;

std::string default_output_path() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "flopscope-%Y%m%dT%H%M%S.json", &tm);
  return buf;
}

struct Selection {
  std::vector<std::pair<Backend*, Device>> devices;
  nlohmann::json notes = nlohmann::json::array();
};

// Resolves --devices against what the backends found. A malformed name was
// already refused (2); a well-formed one that is not here is a device error (3).
Selection select_devices(const std::vector<std::unique_ptr<Backend>>& backends,
                         const std::vector<DeviceSelector>& selectors) {
  Selection sel;
  std::map<std::string, std::vector<Device>> found;
  std::map<std::string, Backend*> by_kind;
  std::map<std::string, std::string> why_none;
  for (const auto& b : backends) {
    by_kind[b->kind()] = b.get();
    found[b->kind()] = b->devices();
    if (found[b->kind()].empty()) {
      why_none[b->kind()] = b->unavailable_reason().empty() ? "no " + b->kind() + " device found"
                                                            : b->unavailable_reason();
      sel.notes.push_back(b->kind() + ": " + why_none[b->kind()]);
    }
  }
  auto not_built = [](const std::string& kind) {
    return kind + " backend is not part of this build";
  };
  if (selectors.empty()) {
    for (const auto& b : backends)
      for (const auto& d : found[b->kind()]) sel.devices.emplace_back(b.get(), d);
    return sel;
  }
  for (const auto& s : selectors) {
    if (!by_kind.count(s.kind)) throw DeviceError("--devices " + s.kind + ": " + not_built(s.kind));
    const auto& list = found[s.kind];
    if (list.empty())
      throw DeviceError("--devices " + s.kind + (s.index ? ":" + std::to_string(*s.index) : "") +
                        ": " + why_none[s.kind]);
    if (!s.index) {
      for (const auto& d : list) sel.devices.emplace_back(by_kind[s.kind], d);
      continue;
    }
    const std::string want = s.kind == "cpu" ? "cpu" + std::to_string(*s.index)
                                             : s.kind + ":" + std::to_string(*s.index);
    bool hit = false;
    for (const auto& d : list)
      if (d.id == want) {
        sel.devices.emplace_back(by_kind[s.kind], d);
        hit = true;
      }
    if (!hit)
      throw DeviceError("--devices " + want + ": no such device (found " +
                        std::to_string(list.size()) + " " + s.kind + " device" +
                        (list.size() == 1 ? "" : "s") + ")");
  }
  return sel;
}

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) != 0;
}

}  // namespace

int run_command(const RunOptions& o, const std::vector<std::string>& argv) {
  // 1. Everything the user typed is checked before anything runs (exit 2).
  const auto selectors = parse_device_list(o.devices);
  const auto kernels = parse_kernel_list(o.kernels);
  const auto precisions = parse_precision_selection(o.precisions, o.classes);
  const auto user_sizes = parse_size_list(o.sizes);
  validate_benchmark_flags(o.benchmark_flags);
  const std::string output = o.output.empty() ? default_output_path() : o.output;
  check_writable(output, "--output");
  if (!o.csv.empty()) check_writable(o.csv, "--csv");

  // 2. Devices (exit 3 when a named one is missing).
  RunRecord record;
  record.command_line.assign(argv.begin(), argv.end());
  record.started_at = now_iso8601();
  record.seed = kDefaultSeed;
  try {
    record.topology = topo::load_live_topology().to_json();
  } catch (const std::exception& e) {
    record.notes.push_back(std::string("topology: ") + e.what());
  }
  auto backends = create_backends();
  Selection sel = select_devices(backends, selectors);
  record.notes.insert(record.notes.end(), sel.notes.begin(), sel.notes.end());
  for (const auto& [b, d] : sel.devices) record.devices.push_back(d);

  // 3. The plan: device x kernel x precision x size.
  std::vector<PlannedRun> plan;
  for (const auto& [backend, device] : sel.devices)
    for (KernelKind k : kernels)
      for (Precision p : precisions) {
        std::vector<ProblemSize> sizes;
        if (user_sizes.empty())
          sizes = backend->default_sizes(device, k, p, o.quick);
        else
          for (const auto& dims : user_sizes)
            sizes.push_back(backend->size_from_user(device, k, p, dims));
        for (auto& s : sizes)
          plan.push_back({backend, device, {k, p, s, o.implementation, kDefaultSeed}});
      }

  BurstSettings settings;
  if (o.quick) {
    settings.repetitions = 3;
    settings.min_time_s = 0.1;
    settings.warmup_time_s = 0.05;
  }
  settings.benchmark_flags = o.benchmark_flags;
  record.settings = {{"quick", o.quick},
                     {"repetitions", settings.repetitions},
                     {"min_time_s", settings.min_time_s},
                     {"warmup_time_s", settings.warmup_time_s},
                     {"benchmark_flags", o.benchmark_flags},
                     {"engine", "google-benchmark burst, manual time"}};

  initialize_benchmark_library(argv.empty() ? "flopscope" : argv[0], o.benchmark_flags);
  install_interrupt_handlers();
  const bool show_progress = !o.quiet && stderr_is_terminal();
  auto progress = [&](size_t i, size_t n, const PlannedRun& pr) {
    if (!show_progress) return;
    std::cerr << "\r[" << (i + 1) << "/" << n << "] " << pr.device.id << " "
              << to_string(pr.request.kernel) << " " << to_string(pr.request.precision) << " "
              << pr.request.size.label() << "\033[K" << std::flush;
  };
  // Google Benchmark's own console output stays off unless asked for: the
  // table below is flopscope's.
  record.measurements = run_burst(plan, settings, progress);
  if (show_progress) std::cerr << "\r\033[K" << std::flush;
  record.complete = !interrupted();
  apply_efficiency(record.measurements, record.devices);

  // 4. Write the result whatever happened, then report.
  nlohmann::json doc = build_result_document(record);
  write_file_atomically(output, doc.dump(2) + "\n");
  if (!o.csv.empty()) write_file_atomically(o.csv, measurements_csv(record.measurements));

  std::vector<Measurement> shown, unsupported;
  for (const auto& m : record.measurements)
    (m.status == MeasurementStatus::unsupported ? unsupported : shown).push_back(m);
  print_measurement_table(std::cout, shown);
  if (!unsupported.empty()) {
    std::map<std::string, std::string> per_device;
    for (const auto& m : unsupported) {
      auto& s = per_device[m.device];
      s += (s.empty() ? "" : " ") + std::string(to_string(m.kernel)) + "/" +
           std::string(to_string(m.precision));
    }
    for (const auto& [dev, list] : per_device) std::cout << dev << " unsupported: " << list << "\n";
  }
  print_class_table(std::cout, doc["classes"]);
  for (const auto& n : record.notes) std::cout << "note: " << n.get<std::string>() << "\n";
  std::cout << "result: " << output << (o.csv.empty() ? "" : " and " + o.csv) << "\n";

  if (interrupted()) {
    std::cerr << "flopscope: interrupted; partial result written to " << output << "\n";
    return kExitInterrupted;
  }
  bool failed = false, unverified = false;
  for (const auto& m : record.measurements) {
    failed |= m.status == MeasurementStatus::failed;
    unverified |= m.status == MeasurementStatus::not_verified;
  }
  if (failed) {
    std::cerr << "flopscope: a measurement failed (see the table)\n";
    return kExitDevice;
  }
  if (unverified) {
    std::cerr << "flopscope: a result did not pass its check (see the table)\n";
    return kExitCheckFailed;
  }
  return kExitOk;
}

}  // namespace flopscope::cli
