// `flopscope report run.json [--output run.html]`: the result file as one
// self-contained HTML page (html_report.h).
#include <iostream>

#include "harness/atomic_file.h"
#include "harness/cli/cli.h"
#include "harness/errors.h"
#include "harness/html_report.h"
#include "harness/json_file.h"

namespace flopscope::cli {

namespace {

// run.json -> run.html; any other name gets .html added.
std::string default_output(const std::string& file) {
  const std::string ext = ".json";
  if (file.size() > ext.size() && file.compare(file.size() - ext.size(), ext.size(), ext) == 0)
    return file.substr(0, file.size() - ext.size()) + ".html";
  return file + ".html";
}

}  // namespace

int report_command(const ReportOptions& o) {
  const std::string output = o.output.empty() ? default_output(o.file) : o.output;
  check_writable(output, "--output");
  require_distinct_files({{"result file", o.file}, {"--output", output}});
  JsonText j = read_json_file(o.file);
  require_result_schema(j.doc, o.file, j.text);
  const std::string html =
      consume_document(o.file, [&] { return render_html_report(j.doc, o.file); });
  write_file_atomically(output, html);
  std::cout << "report: " << output << "\n";
  return kExitOk;
}

}  // namespace flopscope::cli
