#include "harness/cli/run_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "devices/topology/pinning.h"
#include "devices/topology/topology.h"
#include "harness/atomic_file.h"
#include "harness/benchmark_flags.h"
#include "harness/burst_engine.h"
#include "harness/cli/cli.h"
#include "harness/cli/host_placement.h"
#include "harness/cli/rank_share.h"
#include "harness/concurrent.h"
#include "harness/efficiency.h"
#include "harness/environment.h"
#include "harness/errors.h"
#include "harness/interrupt.h"
#include "harness/merge.h"
#include "harness/mpi/rack.h"
#include "harness/preflight.h"
#include "harness/progress.h"
#include "harness/reference.h"
#include "harness/reports.h"
#include "harness/result_document.h"
#include "harness/roofline.h"
#include "harness/soak_report.h"
#include "harness/sustained_engine.h"
#include "harness/units.h"

namespace flopscope::cli {

// certify_command.cpp: prints the table, returns 0 or 1.
int certify_document(const nlohmann::json& run, const std::string& run_name, const Reference& ref);

namespace {

constexpr uint64_t kDefaultSeed = 20261128;
// --concurrent without --duration still needs the soak engine (Google
// Benchmark runs one benchmark at a time): this long per kernel.
constexpr double kConcurrentDefaultS = 10, kConcurrentQuickS = 3;
constexpr double kLongestSoakS = 7 * 24 * 3600.0;

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

double parse_soak_duration(const std::string& text) {
  auto s = parse_duration_s(text);
  if (!s) throw UsageError("--duration: '" + text + "' is not a duration (e.g. 30s, 10m, 1h)");
  if (*s < 1 || *s > kLongestSoakS)
    throw UsageError("--duration: " + text + " is outside 1s to 7 days");
  return *s;
}

// A soak runs one size per variant (stream copy and triad, 7- and 25-point
// stencils) for the whole duration: the largest of the default and quick
// sizes whose iteration fits a third of a window here, so every window of
// about a second holds several iterations (choose_soak_size probes them).
std::vector<ProblemSize> soak_sizes(const PlannedRun& item, const std::vector<ProblemSize>& sizes,
                                    double window_s, nlohmann::json& notes) {
  std::map<std::string, std::vector<ProblemSize>> by_variant;
  std::vector<std::string> order;
  for (const auto& s : sizes) {
    auto& list = by_variant[s.variant];
    if (list.empty()) order.push_back(s.variant);
    bool seen = false;
    for (const auto& x : list) seen |= x.label() == s.label();
    if (!seen) list.push_back(s);
  }
  std::vector<ProblemSize> out;
  for (const auto& v : order) {
    std::string why;
    out.push_back(choose_soak_size(item, by_variant[v], window_s / 3, &why));
    if (!why.empty())
      notes.push_back(item.device.id + " " + std::string(to_string(item.request.kernel)) + " " +
                      std::string(to_string(item.request.precision)) + ": " + why);
  }
  return out;
}

int exit_code_of(const std::vector<Measurement>& ms) {
  bool failed = false, unverified = false;
  for (const auto& m : ms) {
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

// `forced`: --implementation was given. Then each unsupported measurement
// gets its reason (the backend names what it has instead); otherwise the
// kernels a device lacks are listed on one line.
void print_tables(const RunRecord& record, const nlohmann::json& doc, bool forced) {
  std::vector<Measurement> shown, unsupported;
  for (const auto& m : record.measurements)
    (m.status == MeasurementStatus::unsupported ? unsupported : shown).push_back(m);
  print_measurement_table(std::cout, shown);
  if (forced) {
    for (const auto& m : unsupported)
      std::cout << m.device << ' ' << to_string(m.kernel) << '/' << to_string(m.precision)
                << " unsupported: " << m.message << "\n";
  } else if (!unsupported.empty()) {
    std::map<std::string, std::string> per_device;
    for (const auto& m : unsupported) {
      // Appended piece by piece: GCC 12 reports a false -Wrestrict for
      // ("" + std::string) when this is inlined.
      auto& s = per_device[m.device];
      if (!s.empty()) s += ' ';
      s += to_string(m.kernel);
      s += '/';
      s += to_string(m.precision);
    }
    for (const auto& [dev, list] : per_device) std::cout << dev << " unsupported: " << list << "\n";
  }
  print_soak_table(std::cout, record.measurements);
  if (doc.contains("concurrent")) print_concurrent_summary(std::cout, doc["concurrent"]);
  print_class_table(std::cout, doc["classes"]);
  for (const auto& n : record.notes) std::cout << "note: " << n.get<std::string>() << "\n";
}

std::string item_label(const PlannedRun& pr) {
  return pr.device.id + " " + std::string(to_string(pr.request.kernel)) + " " +
         std::string(to_string(pr.request.precision)) + " " + pr.request.size.label();
}

}  // namespace

int run_command(const RunOptions& o, const std::vector<std::string>& argv) {
  // 1. Everything the user typed is checked before anything runs (exit 2).
  const auto selectors = parse_device_list(o.devices);
  const auto kernels = parse_kernel_list(o.kernels);
  const auto precisions = parse_precision_selection(o.precisions, o.classes);
  const auto user_sizes = parse_size_list(o.sizes);
  validate_benchmark_flags(o.benchmark_flags);
  const bool soak = !o.duration.empty() || o.concurrent;
  double soak_s = 0;
  if (!o.duration.empty())
    soak_s = parse_soak_duration(o.duration);
  else if (o.concurrent)
    soak_s = o.quick ? kConcurrentQuickS : kConcurrentDefaultS;
  if (soak && !o.benchmark_flags.empty())
    throw UsageError(
        "flags after '--' are Google Benchmark's, which only burst runs use; --duration and "
        "--concurrent runs have their own engine");
  std::optional<Reference> reference;
  if (!o.reference.empty()) reference = load_reference(o.reference);
  const std::string output = o.output.empty() ? default_output_path() : o.output;
  check_writable(output, "--output");
  if (!o.csv.empty()) check_writable(o.csv, "--csv");
  rack::RankInfo rank = rack::rank_from_environment();
  std::string partial;
  if (rank.launched()) {
    partial = partial_path(output, rank.rank);
    check_writable(partial, "the rank's partial result");
  }
  require_distinct_files(
      {{"--output", output}, {"--csv", o.csv}, {"--reference", o.reference}, {"partial", partial}});
  // From here on Ctrl-C stops the run and still writes the result, marked
  // incomplete: detecting devices and pre-flight take seconds on a big node.
  install_interrupt_handlers();

  // 2. MPI (when launched as a rank), devices (exit 3 when a named one is missing).
  const rack::RankInfo launcher = rank;
  rank = rack::start(rank);
  if (rank.mpi && (rank.rank != launcher.rank || rank.size != launcher.size)) {
    // The launcher's variables are set but MPI started alone (a singleton):
    // every such process would think itself rank 0 and overwrite the others.
    rack::finish();
    throw UsageError("the environment says rank " + std::to_string(launcher.rank) + " of " +
                     std::to_string(launcher.size) + " (" + launcher.launcher + "), MPI says " +
                     std::to_string(rank.rank) + " of " + std::to_string(rank.size) +
                     ": start the ranks with that launcher (mpirun, srun)");
  }
  RunRecord record;
  record.command_line.assign(argv.begin(), argv.end());
  record.started_at = now_iso8601();
  record.seed = kDefaultSeed;
  std::optional<topo::Topology> topology;
  try {
    topology = topo::load_live_topology();
    record.topology = topology->to_json();
  } catch (const std::exception& e) {
    record.notes.push_back(std::string("topology: ") + e.what());
  }
  // hwloc reads HWLOC_XMLFILE instead of the machine: fine for a recording
  // of this very node, wrong for another (128 threads pinned on 2 cores).
  if (const char* xml = std::getenv("HWLOC_XMLFILE"); xml && *xml && topology) {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0 && topology->pus > online) {
      rack::finish();
      throw UsageError("HWLOC_XMLFILE=" + std::string(xml) + " describes " +
                       std::to_string(topology->pus) + " PUs, this machine has " +
                       std::to_string(online) +
                       " online: unset it to measure this machine (flopscope devices --topology "
                       "shows recordings)");
    }
    record.notes.push_back("topology: from HWLOC_XMLFILE=" + std::string(xml) +
                           ", not discovered on this machine");
  }
  auto backends = create_backends();
  Selection sel = select_devices(backends, selectors);
  record.notes.insert(record.notes.end(), sel.notes.begin(), sel.notes.end());

  // A rank takes its share of the node; --concurrent gives each GPU's host
  // thread a core near it and the CPU kernels the rest.
  const std::vector<int> all_pus = topology ? topo::pu_per_core(*topology) : std::vector<int>{};
  std::vector<int> cpu_pus = all_pus;
  if (rank.launched()) {
    keep_rank_gpus(sel.devices, rank);
    cpu_pus = rack::share_of(all_pus, rank.local_rank, rank.local_size);
  }
  HostPlacement placement;
  if (o.concurrent && topology) {
    std::vector<Device> gpus;
    for (const auto& [b, d] : sel.devices)
      if (d.kind != "cpu") gpus.push_back(d);
    placement = plan_host_placement(*topology, gpus, cpu_pus);
    cpu_pus = placement.cpu_pus;
  }
  if (cpu_pus != all_pus) {
    std::vector<std::pair<Backend*, Device>> kept;
    for (auto& [b, d] : sel.devices) {
      if (d.kind != "cpu") {
        kept.emplace_back(b, d);
        continue;
      }
      if (cpu_pus.empty() || !b->restrict_host_pus(cpu_pus)) {
        record.notes.push_back(d.id + ": left out: no core left for the CPU kernels in this " +
                               (rank.launched() ? "rank's share" : "placement"));
        continue;
      }
      Device share = b->devices().front();
      if (rank.launched()) name_cpu_share(share, rank, cpu_pus);
      kept.emplace_back(b, share);
    }
    sel.devices = kept;
  }
  for (const auto& [b, d] : sel.devices) record.devices.push_back(d);
  if (rank.launched()) record.sections["rank"] = rank_to_json(rank);

  // 3. Pre-flight: what else is on the node, recorded before measuring.
  PreflightInput pin;
  pin.cores = topology ? topology->cores : 0;
  pin.pus = topology ? topology->pus : 0;
  pin.core_kinds = topology ? static_cast<int>(topology->cpu_kinds.size()) : 0;
  pin.devices = sel.devices;
  pin.seed = kDefaultSeed;
  Preflight pre = run_preflight(pin);
  record.sections["preflight"] = pre.record;
  for (const auto& w : pre.warnings) record.notes.push_back("pre-flight: " + w);

  // 4. The plan: device x kernel x precision x size. Soaks probe sizes.
  std::vector<PlannedRun> plan;
  for (const auto& [backend, device] : sel.devices)
    for (KernelKind k : kernels)
      for (Precision p : precisions) {
        std::vector<ProblemSize> sizes;
        if (user_sizes.empty()) {
          sizes = backend->default_sizes(device, k, p, o.quick);
          if (soak) {
            auto quick = backend->default_sizes(device, k, p, true);
            sizes.insert(sizes.end(), quick.begin(), quick.end());
            PlannedRun probe{backend, device, {k, p, {}, o.implementation, kDefaultSeed}};
            sizes = soak_sizes(probe, sizes, SoakSettings{}.window_s, record.notes);
          }
        } else {
          for (const auto& dims : user_sizes)
            for (auto& s : backend->sizes_from_user(device, k, p, dims)) sizes.push_back(s);
        }
        for (auto& s : sizes)
          plan.push_back({backend, device, {k, p, s, o.implementation, kDefaultSeed}});
      }

  BurstSettings burst;
  if (o.quick) {
    burst.repetitions = 3;
    burst.min_time_s = 0.1;
    burst.warmup_time_s = 0.05;
  }
  burst.benchmark_flags = o.benchmark_flags;
  burst.core_kinds = pin.core_kinds;
  SoakSettings soak_settings;
  soak_settings.duration_s = soak_s;
  if (soak)
    record.settings = {{"quick", o.quick},
                       {"engine", "flopscope soak engine"},
                       {"concurrent", o.concurrent},
                       {"duration_s", soak_s},
                       {"window_s", soak_settings.window_s},
                       {"settle_fraction", soak_settings.settle_fraction},
                       {"verify_every_windows", soak_settings.verify_every_windows},
                       {"drop_threshold", soak_settings.drop_threshold},
                       {"sizes",
                        "the largest default size per kernel, precision and variant, "
                        "unless --sizes"}};
  else
    record.settings = {{"quick", o.quick},
                       {"repetitions", burst.repetitions},
                       {"min_time_s", burst.min_time_s},
                       {"warmup_time_s", burst.warmup_time_s},
                       {"unit_check_s", burst.unit_check_s},
                       {"gap_unit_check_s", burst.gap_unit_check_s},
                       {"benchmark_flags", o.benchmark_flags},
                       {"engine", "google-benchmark burst, manual time"}};
  // A Google Benchmark flag overrides flopscope's own setting: the record
  // then names the flag (in benchmark_flags) instead of a figure that did
  // not apply.
  if (!soak)
    for (const auto& [flag, key] :
         {std::pair{"repetitions", "repetitions"}, std::pair{"min_time", "min_time_s"},
          std::pair{"min_warmup_time", "warmup_time_s"}})
      if (has_benchmark_flag(o.benchmark_flags, flag)) {
        record.settings.erase(key);
        record.settings["set_by_benchmark_flags"].push_back(key);
      }
  if (o.concurrent) record.settings["host_placement"] = placement.record;

  // 5. Measure. A rank rewrites its partial file after every item, so a
  //    rank killed later still leaves what it measured.
  ProgressLine line(progress_wanted(o.quiet));
  if (line.enabled())
    for (const auto& w : pre.warnings) std::cerr << "flopscope: pre-flight: " << w << "\n";
  auto checkpoint = [&] {
    if (partial.empty()) return;
    RunRecord r = record;
    r.complete = false;
    r.sections["rank"]["status"] = "running";
    apply_efficiency(r.measurements, r.devices);
    write_file_atomically(partial, build_result_document(r).dump(2) + "\n");
  };
  checkpoint();
  const double total_s = soak_s * static_cast<double>(plan.size());
  if (o.concurrent) {
    std::map<std::string, double> last;
    auto progress = [&](const SoakProgress& p) {
      last[p.item->device.id] = p.last_flops;
      std::string rates;
      for (const auto& [id, f] : last) rates += " | " + id + " " + format_rate(f, "FLOP/s");
      line.show("concurrent " + std::string(to_string(p.item->request.kernel)) + " " +
                std::string(to_string(p.item->request.precision)) + ": " +
                format_duration(p.elapsed_s) + " of " + format_duration(p.duration_s) + ", " +
                format_duration(p.duration_s - p.elapsed_s) + " left" + rates);
    };
    auto place = [&](const PlannedRun& pr) {
      auto it = placement.gpu_host_pu.find(pr.device.id);
      if (it != placement.gpu_host_pu.end()) topo::pin_current_thread_to_pu(it->second);
    };
    nlohmann::json groups;
    record.measurements = run_concurrent(plan, soak_settings, place, progress, &groups);
    record.sections["concurrent"] = groups;  // summarized below, after efficiency
  } else if (soak) {
    for (size_t i = 0; i < plan.size(); ++i) {
      auto progress = [&](const SoakProgress& p) {
        const double all_left = total_s - soak_s * static_cast<double>(i) - p.elapsed_s;
        line.show("soak [" + std::to_string(i + 1) + "/" + std::to_string(plan.size()) + "] " +
                  item_label(plan[i]) + ": " + format_duration(p.elapsed_s) + " of " +
                  format_duration(p.duration_s) + ", " + format_duration(all_left) +
                  " left in all | " +
                  format_rate(p.last_flops, rate_unit(plan[i].request.precision)));
      };
      auto sensors = make_sensors(plan[i]);
      record.measurements.push_back(run_soak(plan[i], sensors.get(), soak_settings, progress));
      checkpoint();
    }
  } else {
    initialize_benchmark_library(argv.empty() ? "flopscope" : argv[0], o.benchmark_flags);
    // Google Benchmark's own console output stays off unless asked for: the
    // table below is flopscope's.
    for (size_t i = 0; i < plan.size(); ++i) {
      line.show("burst [" + std::to_string(i + 1) + "/" + std::to_string(plan.size()) + "] " +
                    item_label(plan[i]),
                true);
      auto one = run_burst({plan[i]}, burst);
      record.measurements.insert(record.measurements.end(), one.begin(), one.end());
      checkpoint();
    }
  }
  line.clear();
  record.complete = !interrupted();
  apply_efficiency(record.measurements, record.devices);
  apply_roofline(record.measurements);
  if (o.concurrent)
    record.sections["concurrent"] =
        concurrent_summary(record.measurements, record.devices, record.sections["concurrent"]);

  // 6. Write the result whatever happened, then report.
  if (rank.launched()) record.sections["rank"]["status"] = interrupted() ? "interrupted" : "done";
  nlohmann::json doc = build_result_document(record);
  // The paths were checked before the run, but a disk can fill or a folder
  // vanish during an hour's soak: what was measured then goes into a new
  // file beside the working folder (or in /tmp) instead of being lost, and
  // the exit code is 2 (after a rack run's gather, which the other ranks
  // wait for).
  bool late_usage_error = false;
  auto keep = [&](const std::string& path, const std::string& content) -> std::string {
    try {
      write_file_atomically(path, content);
      return path;
    } catch (const UsageError& e) {
      late_usage_error = true;
      const std::string name = std::filesystem::path(path).filename().string();
      std::string saved;
      for (const char* dir : {".", "/tmp"})
        if (saved.empty())
          saved = write_new_file(std::string(dir) + "/" + name + ".saved", content);
      std::cerr << "flopscope: " << e.what()
                << (saved.empty() ? "; it is lost" : "; saved as " + saved + " instead") << "\n";
      return saved;
    }
  };
  const std::string written = keep(rank.launched() ? partial : output, doc.dump(2) + "\n");
  const std::string csv_path = o.csv.empty()     ? std::string()
                               : rank.launched() ? partial_path(o.csv, rank.rank)
                                                 : o.csv;
  const std::string csv =
      csv_path.empty() ? std::string() : keep(csv_path, measurements_csv(record.measurements));
  // In a rack run only rank 0 prints tables: a thousand ranks' tables would
  // bury the one that matters.
  if (!rank.launched() || rank.rank == 0) print_tables(record, doc, !o.implementation.empty());
  std::cout << "result: " << (written.empty() ? "not written" : written)
            << (csv.empty() ? "" : " and " + csv) << "\n";

  if (interrupted()) {
    // No gathering: the other ranks may be gone, and MPI would wait for them.
    std::cerr << "flopscope: interrupted; partial result written to " << written << "\n";
    return kExitInterrupted;
  }
  int code = exit_code_of(record.measurements);
  // A forced name or a filter that selected nothing is a mistyped argument,
  // not a run that passed.
  auto none_but = [&](MeasurementStatus left_out) {
    return !record.measurements.empty() &&
           std::all_of(record.measurements.begin(), record.measurements.end(),
                       [&](const Measurement& m) { return m.status == left_out; });
  };
  if (!o.implementation.empty() && none_but(MeasurementStatus::unsupported)) {
    std::cerr << "flopscope: --implementation " << o.implementation
              << ": no selected kernel has it (the table names what each has)\n";
    late_usage_error = true;
  }
  if (has_benchmark_flag(o.benchmark_flags, "filter") && none_but(MeasurementStatus::skipped)) {
    std::cerr << "flopscope: --benchmark_filter matched none of the selected items\n";
    late_usage_error = true;
  }

  // 7. A rack run: rank 0 gathers every rank's result and writes one.
  if (rank.launched()) {
    if (!rank.mpi) {
      std::cout << "note: rank " << rank.rank << " of " << rank.size
                << ": this flopscope was built without MPI; join the ranks' files with "
                   "flopscope merge "
                << partial_path(output, 0) << " ... --output " << output << "\n";
      return late_usage_error ? kExitUsage : code;
    }
    const auto texts = rack::gather_to_root(doc.dump());
    rack::finish();
    if (rank.rank != 0) return late_usage_error ? kExitUsage : code;
    std::vector<PartialResult> parts;
    for (size_t r = 0; r < texts.size(); ++r)
      parts.push_back({partial_path(output, static_cast<int>(r)), nlohmann::json::parse(texts[r])});
    MergeOutcome merged = merge_partials(parts, kDefaultPeerTolerance, "mpi gather at rank 0");
    write_file_atomically(output, merged.doc.dump(2) + "\n");
    std::cout << "rack: " << merged.summary << "\nresult: " << output << "\n";
    print_class_table(std::cout, merged.doc["classes"]);
    doc = merged.doc;
    code = merged.exit_code;
  }

  // 8. --reference: certify what was just written.
  if (reference) {
    const int c = certify_document(doc, output, *reference);
    if (code == kExitOk) code = c;
  }
  return late_usage_error ? kExitUsage : code;
}

}  // namespace flopscope::cli
