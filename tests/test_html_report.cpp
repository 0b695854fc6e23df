// The HTML report (flopscope report): the SVG helpers' arithmetic, and a
// page rendered from a small result document: escaped, self-contained, a
// figure only where it verified, soak series, rooflines and the class bars.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "harness/html_report.h"
#include "harness/svg_plot.h"
#include "harness/units.h"

using namespace flopscope;
using nlohmann::json;

namespace {

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

json measurement(const std::string& kernel, const json& size, double flops, bool ok) {
  return {{"device", "cpu0"},
          {"kernel", kernel},
          {"precision", "fp64"},
          {"size", size},
          {"implementation", "impl-" + kernel},
          {"status", ok ? "ok" : "failed"},
          {"verified", ok},
          {"message", ok ? "" : "element 3 is wrong"},
          {"median_flops", flops},
          {"unit", "FLOP/s"},
          {"cv", 0.01},
          {"mode", "burst"},
          {"flags", json::array()},
          {"efficiency", {{"clock", 0.8}, {"spec", 0.75}, {"measured_peak", 0.9}}}};
}

json small_result() {
  json r;
  r["schema_version"] = "1.0";
  r["complete"] = true;
  r["host"] = {{"hostname", "<node&1>"}, {"os", "Debian"}, {"kernel", "Linux"}};
  r["tool"] = {{"version", "0.1.0"}, {"git_commit", "abc123"}};
  r["command_line"] = {"flopscope", "run", "--quick"};
  r["notes"] = {"pre-flight: load average 3.00 on 2 cores"};
  r["devices"] = {
      {{"id", "cpu0"},
       {"kind", "cpu"},
       {"name", "Test CPU"},
       {"peaks", {{"fp64", {{"flops", 1e11}, {"unit", "FLOP/s"}, {"derivation", "2 x 1"}}}}}}};
  r["classes"] = {{"supercomputing",
                   {{"flops", 5e10},
                    {"unit", "FLOP/s"},
                    {"kernel", "gemm"},
                    {"precision", "fp64"},
                    {"per_device", {{"cpu0", 5e10}}},
                    {"of_peak", {{"clock", 0.8}, {"spec", 0.75}}}}}};
  json gemm = measurement("gemm", {{"n", 1024}}, 5e10, true);
  json broken = measurement("fft", {{"n", 4096}}, 9.99e99, false);
  json stencil = measurement("stencil", {{"nx", 64}, {"variant", "7-point"}}, 2e10, true);
  stencil["arithmetic_intensity"] = 0.5;
  json failed_stencil = measurement("stencil", {{"nx", 32}, {"variant", "25-point"}}, 7e99, false);
  failed_stencil["arithmetic_intensity"] = 1.8;
  json copy = measurement("stream", {{"elements", 1024}, {"variant", "copy"}}, 0, true);
  copy["median_bytes_per_second"] = 1e11;
  json soak = measurement("peak", {{"rounds", 16}}, 8e10, true);
  soak["mode"] = "soak";
  soak["series"] = {{0.0, 9e10}, {1.0, 8e10}, {2.0, 8e10}};
  soak["series_unit"] = "FLOP/s";
  soak["drop"] = 0.11;
  soak["attribution"] = {{"cause", "thermal"}, {"evidence", "85 C at the end"}};
  json failed_soak = soak;
  failed_soak["status"] = "failed";
  failed_soak["verified"] = false;
  failed_soak["size"] = {{"rounds", 32}};
  r["measurements"] = {gemm, broken, stencil, failed_stencil, copy, soak, failed_soak};
  return r;
}

}  // namespace

TEST(SvgPlot, EscapesAndTicks) {
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(linear_ticks(7.3), (std::vector<double>{0, 2, 4, 6, 8}));
  EXPECT_EQ(linear_ticks(100), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(linear_ticks(0), (std::vector<double>{0, 1}));
  const auto d = decade_ticks(0.05, 3);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_DOUBLE_EQ(d.front(), 0.01);
  EXPECT_DOUBLE_EQ(d.back(), 10);
}

TEST(SvgPlot, RooflinePutsPointsUnderTheirRoofs) {
  // 1 TFLOP/s roof, 100 GB/s: ridge at 10 FLOP/B. Axes: 0.1..100 and
  // 1e9..1e13 (decades), 600 x 300 pixels inside the margins.
  const std::string svg =
      svg_roofline({{"fp64 peak", 1e12}}, 1e11, "copy", {{"p", 1, 1e10, "n=1"}}, 720, 360);
  EXPECT_EQ(count(svg, "<circle"), 1);
  EXPECT_EQ(count(svg, "class=\"roof\""), 2);  // the memory roof and the compute roof
  // 200 pixels a decade across from x = 96, 75 a decade up from y = 316:
  // the point (1, 1e10) at (296, 241), below the memory roof's 1e11 there
  // (y 166); the compute roof at y 91 from the ridge (x 496).
  EXPECT_NE(svg.find("cx=\"296.0\" cy=\"241.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("x1=\"496.0\" y1=\"91.0\" x2=\"696.0\" y2=\"91.0\""), std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<title>p n=1: "), std::string::npos) << svg;
}

TEST(HtmlReport, SelfContainedEscapedAndOnlyVerifiedFigures) {
  const std::string html = render_html_report(small_result(), "run.json");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Self-contained: nothing fetched, nothing run.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<td><th>"), std::string::npos);  // header cells are cells
  // Escaped: the raw host name never appears.
  EXPECT_EQ(html.find("<node&1>"), std::string::npos);
  EXPECT_NE(html.find("&lt;node&amp;1&gt;"), std::string::npos);
  // The failed run's figure is not shown; its status and message are.
  EXPECT_EQ(html.find(format_rate(9.99e99, "FLOP/s")), std::string::npos);
  EXPECT_NE(html.find("element 3 is wrong"), std::string::npos);
  EXPECT_NE(html.find(format_rate(5e10, "FLOP/s")), std::string::npos);
  // The class against the peaks its figures were judged by (of_peak): 80% at
  // the measured clock, ahead of the spec clock's 75%.
  EXPECT_NE(html.find("80.0%<span class=\"bar\"><span style=\"width:80.0%\"></span></span> at "
                      "the measured clock"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("pre-flight: load average 3.00"), std::string::npos);

  json r = small_result();
  r["classes"]["supercomputing"]["of_peak"]["clock"] = nullptr;
  EXPECT_NE(render_html_report(r, "run.json")
                .find("75.0%<span class=\"bar\"><span "
                      "style=\"width:75.0%\"></span></span> at spec"),
            std::string::npos);
  // A file from before of_peak: the class's figure is found among the
  // verified measurements (the gemm, at 80% of the clock's peak).
  r["classes"]["supercomputing"].erase("of_peak");
  EXPECT_NE(render_html_report(r, "run.json")
                .find("80.0%<span class=\"bar\"><span "
                      "style=\"width:80.0%\"></span></span> at the "
                      "measured clock"),
            std::string::npos);
  r["classes"]["supercomputing"]["per_device"]["cpu0"] = 4e10;  // no measurement has that figure
  EXPECT_NE(render_html_report(r, "run.json").find("peak unknown"), std::string::npos);
}

TEST(HtmlReport, SoakSeriesAndRoofline) {
  const std::string html = render_html_report(small_result(), "run.json");
  EXPECT_NE(html.find("<h2>Soaks</h2>"), std::string::npos);
  EXPECT_NE(html.find("drop 11.0%"), std::string::npos);
  EXPECT_NE(html.find("cause: <b>thermal</b>"), std::string::npos);
  EXPECT_EQ(count(html, "<polyline"), 1);  // the verified soak's series; no sensors given
  EXPECT_NE(html.find("(its series is not shown)"), std::string::npos);  // the failed soak
  EXPECT_NE(html.find("<h2>Rooflines</h2>"), std::string::npos);
  // The stencil is the one point (the gemm has no intensity, the copy no
  // FLOP, the 25-point stencil failed); the memory roof is the stream
  // copy's bandwidth.
  EXPECT_EQ(count(html, "<circle"), 1);
  EXPECT_EQ(html.find(format_rate(7e99, "FLOP/s")), std::string::npos);
  EXPECT_NE(html.find("copy " + format_rate(1e11, "B/s")), std::string::npos);
  // Compute roofs: the fp64 peak from the table and, dashed, the peak
  // kernel's figure of this run (the soak's 8e10).
  EXPECT_NE(html.find("fp64 peak " + format_rate(1e11, "FLOP/s")), std::string::npos);
  EXPECT_NE(html.find("fp64 measured peak " + format_rate(8e10, "FLOP/s")), std::string::npos);
  EXPECT_EQ(count(html, "class=\"roof measured\""), 1);
  EXPECT_EQ(html.find("Incomplete run"), std::string::npos);

  json r = small_result();
  r["complete"] = false;
  EXPECT_NE(render_html_report(r, "run.json").find("Incomplete run"), std::string::npos);
}

TEST(HtmlReport, OddFieldsShowAsMissingInsteadOfThrowing) {
  json r = small_result();
  r["classes"]["supercomputing"]["per_device"]["cpu0"] = "fast";  // shown as "-"
  const std::string html = render_html_report(r, "run.json");
  EXPECT_NE(html.find("cpu0 -<br>"), std::string::npos);
  r["measurements"][0]["series"] = "nope";
  r["measurements"][0]["mode"] = "soak";
  EXPECT_NO_THROW(render_html_report(r, "run.json"));  // no usable series: no points
}

TEST(HtmlReport, MemoryRoofFromMemoryOnly) {
  json r = small_result();
  // A copy within twice its cache measured the cache: no memory roof.
  r["measurements"][4]["footprint"] = {{"working_set_bytes", 1e6}, {"cache_bytes", 1e6}};
  std::string html = render_html_report(r, "run.json");
  EXPECT_NE(html.find("no copy bandwidth from memory measured"), std::string::npos);
  // A stencil's own copy (its roofline object) is the roof, as in its
  // roofline fraction; a stencil whose grids sat in cache is marked.
  r["measurements"][2]["roofline"] = {{"bandwidth_bytes_per_second", 9e10},
                                      {"bandwidth_source", "its own copy"},
                                      {"bound_flops", 4.5e10},
                                      {"fraction", 0.44}};
  r["measurements"][2]["roofline_note"] = "";
  html = render_html_report(r, "run.json");
  EXPECT_NE(html.find("copy " + format_rate(9e10, "B/s")), std::string::npos);
  EXPECT_NE(html.find("(its own copy)"), std::string::npos);
  r["measurements"][2]["roofline_note"] = "no memory roofline: its grids fit in the L3";
  EXPECT_NE(render_html_report(r, "run.json").find("stencil fp64 7-point (in cache)"),
            std::string::npos);
}

TEST(HtmlReport, RackTotalsOutliersAndNodes) {
  json r = small_result();
  r["rack"] = {{"ranks", 3},
               {"ranks_present", {0, 1}},
               {"missing_ranks", {2}},
               {"nodes", 2},
               {"totals", {{"supercomputing", 3e11}}},
               {"peer_tolerance", 0.05},
               {"outliers",
                {{{"device", "n1/cpu0"},
                  {"class", "supercomputing"},
                  {"flops", 1e11},
                  {"peer_median_flops", 2e11},
                  {"below_peer_median", 0.5},
                  {"peers", 2}}}}};
  r["nodes"] = {{{"node", "n0"},
                 {"hostname", "<h0>"},
                 {"ranks", {0}},
                 {"devices", {"n0/cpu0"}},
                 {"classes", {{"supercomputing", 2e11}}}},
                {{"node", "n1"},
                 {"hostname", "h1"},
                 {"ranks", {1}},
                 {"devices", {"n1/cpu0"}},
                 {"classes", {{"supercomputing", 1e11}}},
                 {"complete", false}}};
  const std::string html = render_html_report(r, "rack.json");
  EXPECT_NE(html.find("<h2>Rack</h2>\n<p>2 nodes, 3 ranks; missing ranks: 2;"), std::string::npos)
      << html;
  EXPECT_NE(html.find(format_rate(3e11, "FLOP/s")), std::string::npos);
  EXPECT_NE(html.find("<b>n1/cpu0</b>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"fail\">50.0%</span>"), std::string::npos);
  EXPECT_NE(html.find("n1 <span class=\"fail\">incomplete</span>"), std::string::npos);
  EXPECT_NE(html.find("&lt;h0&gt;"), std::string::npos);
  EXPECT_EQ(render_html_report(small_result(), "run.json").find("<h2>Rack</h2>"),
            std::string::npos);
}
