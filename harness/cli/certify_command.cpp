// `flopscope certify run.json --reference ref.json`.
#include <iostream>

#include "harness/certify.h"
#include "harness/cli/cli.h"
#include "harness/errors.h"
#include "harness/json_file.h"

namespace flopscope::cli {

int certify_document(const nlohmann::json& run, const std::string& run_name, const Reference& ref) {
  CertifyReport report = certify(run, ref);
  print_certify_report(std::cout, report, run_name, ref);
  return report.passed() ? kExitOk : kExitCheckFailed;
}

int certify_command(const CertifyOptions& o) {
  // Both files are checked before anything is judged: a malformed one is 2.
  const Reference ref = load_reference(o.reference);
  const JsonText run = read_json_file(o.run);
  require_result_schema(run.doc, o.run, run.text);
  return consume_document(o.run, [&] { return certify_document(run.doc, o.run, ref); });
}

}  // namespace flopscope::cli
