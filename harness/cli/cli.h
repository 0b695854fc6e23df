// The command line: `flopscope devices|run ...`. Returns the process exit
// code (DESIGN.md "Exit codes"); never lets an exception escape.
#pragma once

#include <string>
#include <vector>

namespace flopscope::cli {

int run_cli(const std::vector<std::string>& args);

struct DevicesOptions {
  bool json = false;
  std::vector<std::string> topologies;
  int nodes = 1;
  std::string clock;
};
int devices_command(const DevicesOptions& o);

struct RunCommandOptions;  // defined in run_command.cpp's header use

struct CertifyOptions {
  std::string run;
  std::string reference;
};
int certify_command(const CertifyOptions& o);

struct CompareOptions {
  std::vector<std::string> files;
};
int compare_command(const CompareOptions& o);

struct MergeOptions {
  std::vector<std::string> files;
  std::string output;
  double peer_tolerance = 0.05;
};
int merge_command(const MergeOptions& o);

struct ReportOptions {
  std::string file;
  std::string output;  // empty: the result file's name with .html
};
int report_command(const ReportOptions& o);
}  // namespace flopscope::cli
