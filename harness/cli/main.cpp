#include <string>
#include <vector>

#include "harness/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return flopscope::cli::run_cli(args);
}
