#include "harness/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "harness/units.h"

namespace flopscope {

namespace {

// Plot area margins: tick labels on the left, the x label below.
constexpr double kLeft = 96, kRight = 24, kTop = 16, kBottom = 44;
constexpr const char* kPalette[] = {"#1f6fb2", "#d0672a", "#2a9d57", "#8e44ad", "#b8860b"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A mapping of [lo, hi] onto pixels [p0, p1], linear or in log10.
struct Axis {
  double lo, hi, p0, p1;
  bool log;
  double operator()(double v) const {
    const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                         : (v - lo) / (hi - lo);
    return p0 + t * (p1 - p0);
  }
};

void open_svg(std::ostringstream& os, int width, int height) {
  os << "<svg class=\"chart\" viewBox=\"0 0 " << width << " " << height << "\" width=\"" << width
     << "\" height=\"" << height << "\" role=\"img\">\n";
}

void text(std::ostringstream& os, double x, double y, const std::string& s,
          const char* anchor = "start", const char* cls = "tick") {
  os << "<text class=\"" << cls << "\" x=\"" << num(x) << "\" y=\"" << num(y) << "\" text-anchor=\""
     << anchor << "\">" << html_escape(s) << "</text>\n";
}

void line(std::ostringstream& os, double x0, double y0, double x1, double y1, const char* cls) {
  os << "<line class=\"" << cls << "\" x1=\"" << num(x0) << "\" y1=\"" << num(y0) << "\" x2=\""
     << num(x1) << "\" y2=\"" << num(y1) << "\"/>\n";
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> linear_ticks(double max) {
  // Denormal or infinite extremes get a plain 0..1 axis, never a zero step.
  if (!(max > 1e-300) || !(max < 1e300)) return {0, 1};
  const double mag = std::pow(10.0, std::floor(std::log10(max / 5)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0})
    if (std::ceil(max / (m * mag) - 1e-9) <= 6) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  for (int i = 0;; ++i) {
    ticks.push_back(i * step);
    if (i * step >= max * (1 - 1e-12)) break;
  }
  return ticks;
}

std::vector<double> decade_ticks(double lo, double hi) {
  // Clamped, so an extreme rate or an underflow still gives two ticks.
  lo = std::clamp(lo, 1e-300, 1e299);
  hi = std::clamp(hi, lo, 1e300);
  std::vector<double> ticks;
  if (!(lo > 0) || !(hi >= lo)) return {0.1, 10};
  for (int e = static_cast<int>(std::floor(std::log10(lo)));
       e <= static_cast<int>(std::ceil(std::log10(hi))); ++e)
    ticks.push_back(std::pow(10.0, e));
  if (ticks.size() == 1) ticks.push_back(ticks[0] * 10);
  return ticks;
}

std::string svg_line_chart(const std::vector<LineSeries>& series, const std::string& x_label,
                           std::string (*format_y)(double, const std::string&),
                           const std::string& y_unit, int width, int height) {
  double x_lo = INFINITY, x_hi = -INFINITY, y_hi = 0;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_hi = std::max(y_hi, y);
    }
  if (!(x_lo <= x_hi)) x_lo = 0, x_hi = 1;
  x_lo = std::min(0.0, x_lo);  // seconds since the start: the axis starts at 0
  const std::vector<double> x_ticks = linear_ticks(x_hi - x_lo);
  const std::vector<double> y_ticks = linear_ticks(y_hi);
  const Axis ax{x_lo, x_lo + x_ticks.back(), kLeft, width - kRight, false};
  const Axis ay{0, y_ticks.back(), height - kBottom, kTop, false};

  std::ostringstream os;
  open_svg(os, width, height);
  for (double t : y_ticks) {
    line(os, kLeft, ay(t), width - kRight, ay(t), "grid");
    text(os, kLeft - 6, ay(t) + 4, format_y(t, y_unit), "end");
  }
  for (double t : x_ticks) text(os, ax(x_lo + t), height - kBottom + 16, short_number(t), "middle");
  line(os, kLeft, height - kBottom, width - kRight, height - kBottom, "axis");
  line(os, kLeft, kTop, kLeft, height - kBottom, "axis");
  text(os, (kLeft + width - kRight) / 2, height - 8, x_label, "middle", "label");
  for (size_t i = 0; i < series.size(); ++i) {
    const char* color = kPalette[i % std::size(kPalette)];
    os << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"1.5\" points=\"";
    for (const auto& [x, y] : series[i].points) os << num(ax(x)) << "," << num(ay(y)) << " ";
    os << "\"><title>" << html_escape(series[i].label) << "</title></polyline>\n";
    if (series.size() > 1)
      os << "<text class=\"legend\" fill=\"" << color << "\" x=\"" << num(width - kRight - 4)
         << "\" y=\"" << num(kTop + 12 + 14 * static_cast<double>(i)) << "\" text-anchor=\"end\">"
         << html_escape(series[i].label) << "</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

std::string svg_roofline(const std::vector<Roof>& roofs, double bandwidth,
                         const std::string& bandwidth_label,
                         const std::vector<RooflinePoint>& points, int width, int height) {
  double x_lo = INFINITY, x_hi = 0, y_lo = INFINITY, y_hi = 0, top_roof = 0;
  for (const auto& p : points) {
    x_lo = std::min(x_lo, p.intensity);
    x_hi = std::max(x_hi, p.intensity);
    y_lo = std::min(y_lo, p.flops);
    y_hi = std::max(y_hi, p.flops);
  }
  for (const auto& r : roofs) {
    top_roof = std::max(top_roof, r.flops);
    y_hi = std::max(y_hi, r.flops);
    y_lo = std::min(y_lo, r.flops / 100);
    if (bandwidth > 0) {  // the ridge point
      x_lo = std::min(x_lo, r.flops / bandwidth);
      x_hi = std::max(x_hi, r.flops / bandwidth);
    }
  }
  if (!(x_lo <= x_hi)) x_lo = 0.1, x_hi = 10;
  if (!(y_lo <= y_hi) || !(y_lo > 0))
    y_lo = std::max(1.0, y_hi / 1000), y_hi = std::max(y_hi, 10 * y_lo);
  const std::vector<double> xt = decade_ticks(x_lo / 2, x_hi * 2);
  const std::vector<double> yt = decade_ticks(y_lo / 2, y_hi * 2);
  const Axis ax{xt.front(), xt.back(), kLeft, width - kRight, true};
  const Axis ay{yt.front(), yt.back(), height - kBottom, kTop, true};

  std::ostringstream os;
  open_svg(os, width, height);
  for (double t : yt) {
    line(os, kLeft, ay(t), width - kRight, ay(t), "grid");
    text(os, kLeft - 6, ay(t) + 4, format_rate(t, "FLOP/s"), "end");
  }
  for (double t : xt) {
    line(os, ax(t), kTop, ax(t), height - kBottom, "grid");
    text(os, ax(t), height - kBottom + 16, short_number(t), "middle");
  }
  line(os, kLeft, height - kBottom, width - kRight, height - kBottom, "axis");
  line(os, kLeft, kTop, kLeft, height - kBottom, "axis");
  text(os, (kLeft + width - kRight) / 2, height - 8, "FLOP per compulsory byte", "middle", "label");

  // The memory roof, from the left edge (or where it enters the plot) to
  // the highest ridge point.
  if (bandwidth > 0) {
    const double x0 = std::max(ax.lo, ay.lo / bandwidth);
    const double x1 = std::min(ax.hi, (top_roof > 0 ? top_roof : ay.hi) / bandwidth);
    if (x0 < x1) {
      line(os, ax(x0), ay(bandwidth * x0), ax(x1), ay(bandwidth * x1), "roof");
      text(os, ax(x0) + 4, ay(bandwidth * x0) - 6, bandwidth_label, "start", "roof-label");
    }
  }
  for (const auto& r : roofs) {
    if (!(r.flops > 0)) continue;
    const double x0 = bandwidth > 0 ? std::max(ax.lo, r.flops / bandwidth) : ax.lo;
    line(os, ax(x0), ay(r.flops), width - kRight, ay(r.flops),
         r.measured ? "roof measured" : "roof");
    text(os, width - kRight - 4, ay(r.flops) + (r.measured ? 13 : -4), r.label, "end",
         "roof-label");
  }
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (!(p.intensity > 0) || !(p.flops > 0)) continue;
    const char* color = kPalette[i % std::size(kPalette)];
    os << "<circle cx=\"" << num(ax(p.intensity)) << "\" cy=\"" << num(ay(p.flops))
       << "\" r=\"4\" fill=\"" << color << "\"><title>" << html_escape(p.label) << " "
       << html_escape(p.detail) << ": " << html_escape(format_rate(p.flops, "FLOP/s")) << " at "
       << short_number(p.intensity) << " FLOP/B</title></circle>\n";
    // Beside the point, on the side with room; alternate rows apart.
    const bool left = ax(p.intensity) > width - 180;
    text(os, ax(p.intensity) + (left ? -6 : 6), ay(p.flops) + 4 + 12 * static_cast<double>(i % 2),
         p.label, left ? "end" : "start", "point-label");
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace flopscope
