// Charts for the HTML report as inline SVG: no scripts, no fonts or files
// from elsewhere, every label escaped, so a report opens anywhere, offline,
// years later. Line charts for soak series and sensors, and a log-log
// roofline.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flopscope {

// &, <, >, " and ' as entities: safe in element text and in attributes.
std::string html_escape(std::string_view s);

// Ticks for a linear axis from 0 to at least `max`: 1, 2 or 5 x 10^k apart,
// 3 to 10 of them, the last at or above `max`.
std::vector<double> linear_ticks(double max);
// Powers of ten covering [lo, hi] (lo > 0).
std::vector<double> decade_ticks(double lo, double hi);

struct LineSeries {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y)
};

// x linear from the first point's x, y linear from 0; `format_y` writes a
// tick value (a rate with its unit, a temperature).
std::string svg_line_chart(const std::vector<LineSeries>& series, const std::string& x_label,
                           std::string (*format_y)(double, const std::string&),
                           const std::string& y_unit, int width = 720, int height = 220);

struct Roof {
  std::string label;      // "fp64 peak 67.0 TFLOP/s"
  double flops = 0;       // a horizontal roof, or 0
  bool measured = false;  // a measured peak: dashed, its label under the line
};

struct RooflinePoint {
  std::string label;     // "stencil fp64 7-point", beside the point
  double intensity = 0;  // FLOP per compulsory byte
  double flops = 0;
  std::string detail;  // in its tooltip: the whole size
};

// Log-log: intensity against FLOP/s, the memory roof bandwidth x intensity
// (none when bandwidth is 0) under each compute roof, and the points.
std::string svg_roofline(const std::vector<Roof>& roofs, double bandwidth_bytes_per_second,
                         const std::string& bandwidth_label,
                         const std::vector<RooflinePoint>& points, int width = 720,
                         int height = 360);

}  // namespace flopscope
