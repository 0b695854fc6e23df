// A result file as one self-contained HTML page (`flopscope report`): the
// run's identity, the notes, the class summary against peak, the devices,
// every measurement (a figure only where it verified, as in the terminal
// table), each soak's series and sensors, and a roofline per device. Inline
// CSS and SVG only: no scripts and nothing fetched, so it can be mailed,
// archived and opened offline.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace flopscope {

// `source` names the result file in the page. Throws nlohmann's exceptions
// on a field of the wrong type (callers wrap it in consume_document).
std::string render_html_report(const nlohmann::json& result, const std::string& source);

}  // namespace flopscope
