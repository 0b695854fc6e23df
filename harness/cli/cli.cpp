#include "harness/cli/cli.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "harness/cli/run_command.h"
#include "harness/environment.h"
#include "harness/errors.h"
#include "harness/job_limits.h"

namespace flopscope::cli {

int run_cli(const std::vector<std::string>& args_in) {
  // Everything after "--" belongs to Google Benchmark.
  std::vector<std::string> args, passthrough;
  bool after = false;
  for (size_t i = 1; i < args_in.size(); ++i) {
    if (!after && args_in[i] == "--") {
      after = true;
      continue;
    }
    (after ? passthrough : args).push_back(args_in[i]);
  }

  // An option given an empty value ("--output ''") is a mistake in a
  // script, not a request for the default.
  const CLI::Validator non_empty(
      [](std::string& v) { return v.empty() ? std::string("an empty value") : std::string(); }, "",
      "");

  CLI::App app{"flopscope: sustained FLOP/s per computing-power class, verified, against peak"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("flopscope ") + FLOPSCOPE_VERSION);

  DevicesOptions dopt;
  auto* devices = app.add_subcommand("devices", "Topology, devices and theoretical peaks");
  devices->add_flag("--json", dopt.json, "JSON instead of the table");
  devices->add_option("--topology", dopt.topologies,
                      "hwloc XML recording(s) instead of this machine");
  devices->add_option("--nodes", dopt.nodes, "Multiply node peaks by N nodes")
      ->check(CLI::Range(int64_t{1}, kMaxJobSize));
  devices->add_option("--clock", dopt.clock,
                      "CPU clock for the recordings, instead of the spec base clock or where "
                      "none is known: 2.4GHz, or one per kind of core (2.8GHz,3.9GHz)");

  RunOptions ropt;
  auto* run = app.add_subcommand("run", "Measure the selected devices, kernels and precisions");
  run->add_option("--devices", ropt.devices, "all|cpu|cuda|hip|cpu0,cuda:0,hip:1,...");
  run->add_option("--kernels", ropt.kernels, "all or gemm,fft,stencil,peak,stream");
  run->add_option("--precisions", ropt.precisions, "all or fp64,fp32,tf32,fp16,bf16,fp8,int8");
  run->add_option("--classes", ropt.classes, "all or basic,intelligent,supercomputing");
  run->add_option("--sizes", ropt.sizes, "Problem sizes: N[,N...] or MxNxK shapes");
  run->add_option("--implementation", ropt.implementation, "Force one implementation by name");
  run->add_flag("--quick", ropt.quick, "Small sizes and few repetitions");
  run->add_flag("--quiet", ropt.quiet, "No progress line");
  run->add_option("--output", ropt.output, "Result file (JSON)");
  run->add_option("--csv", ropt.csv, "Also write the measurements as CSV");
  run->add_option("--duration", ropt.duration,
                  "Soak each kernel this long (30s, 10m, 1h): FLOP/s series, burst, steady, drop, "
                  "sensors");
  run->add_flag("--concurrent", ropt.concurrent,
                "Run every device at once (soaks; 10s per kernel, 3s with --quick, unless "
                "--duration)");
  run->add_option("--reference", ropt.reference, "Certify the run against this reference file");

  CertifyOptions copt;
  auto* certify = app.add_subcommand("certify", "Check a result file against a reference");
  certify->add_option("run", copt.run, "Result file (JSON)")->required();
  certify->add_option("--reference", copt.reference, "Reference file (JSON)")->required();

  CompareOptions cmpopt;
  auto* compare = app.add_subcommand("compare", "Result files side by side, with ratios");
  compare->add_option("files", cmpopt.files, "Two or more result files")->required();

  MergeOptions mopt;
  auto* merge = app.add_subcommand("merge", "Join the partial result files of a rack run's ranks");
  merge->add_option("files", mopt.files, "The ranks' partial result files")->required();
  merge->add_option("--output", mopt.output, "Rack result file (JSON)")->required();
  merge
      ->add_option("--peer-tolerance", mopt.peer_tolerance,
                   "Outlier when below the peers' median by more than this fraction")
      ->check(CLI::Range(0.0, 1.0))
      ->check(CLI::Validator(
          [](std::string& v) {  // Range lets NaN through
            const double x = std::strtod(v.c_str(), nullptr);
            return x >= 0 && x <= 1 ? std::string() : std::string("not a number in [0, 1]");
          },
          "", ""));

  ReportOptions repopt;
  auto* report = app.add_subcommand("report", "A result file as one self-contained HTML page");
  report->add_option("file", repopt.file, "Result file (JSON)")->required();
  report->add_option("--output", repopt.output, "HTML file (default: the result's name, .html)");

  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    for (CLI::Option* opt : sub->get_options())
      if (opt->get_type_size() > 0) opt->check(non_empty);  // flags take no value

  // CLI11 would say only "A subcommand is required" for a mistyped one.
  if (!args.empty() && !args[0].empty() && args[0][0] != '-' &&
      app.get_subcommands([&](CLI::App* sub) { return sub->check_name(args[0]); }).empty()) {
    std::cerr << "flopscope: unknown command '" << args[0]
              << "' (devices, run, certify, compare, merge, report; --help)\n";
    return kExitUsage;
  }

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    std::cout << app.help(e.get_name() == "--help-all" ? "" : "", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    const nlohmann::json tool = tool_info();
    std::cout << "flopscope " << tool["version"].get<std::string>() << " ("
              << tool["git_commit"].get<std::string>() << ")\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // CLI11's own parse errors are usage errors: exit 2, one line.
    std::cerr << "flopscope: " << e.what() << "\n";
    return kExitUsage;
  }

  try {
    if (!passthrough.empty() && !*run) throw UsageError("'--' flags are only for flopscope run");
    if (*devices) return devices_command(dopt);
    if (*certify) return certify_command(copt);
    if (*compare) return compare_command(cmpopt);
    if (*merge) return merge_command(mopt);
    if (*report) return report_command(repopt);
    ropt.benchmark_flags = passthrough;
    return run_command(ropt, args_in);
  } catch (const UsageError& e) {
    std::cerr << "flopscope: " << e.what() << "\n";
    return kExitUsage;
  } catch (const DeviceError& e) {
    std::cerr << "flopscope: " << e.what() << "\n";
    return kExitDevice;
  } catch (const std::exception& e) {
    std::cerr << "flopscope: " << e.what() << "\n";
    return kExitDevice;
  }
}

}  // namespace flopscope::cli
