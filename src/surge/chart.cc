#include "surge/chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace donut::surge {
namespace {

// A round step for about `ticks` intervals up to `max`: 1, 2 or 5 times a power of ten.
double nice_step(double max, int ticks) {
  const double raw = std::max(max, 1.0) / ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

// Where the stock ran out and where it came back, from the stock samples.
struct StockEvents {
  std::vector<double> outs, restocks;  // seconds since the surge began
};
StockEvents stock_events(const std::vector<std::pair<double, int64_t>>& samples) {
  StockEvents e;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const auto [t0, s0] = samples[i - 1];
    const auto [t1, s1] = samples[i];
    if (s0 > 0 && s1 == 0) e.outs.push_back(t1);
    if (s1 > s0) e.restocks.push_back(t1);
  }
  return e;
}

// Where the chart's points go: the plot area and the three axes' ranges.
struct ChartScale {
  static constexpr double width = 900, height = 440, left = 70, right = 70, top = 44, bottom = 70;
  static constexpr double plot_w = width - left - right, plot_h = height - top - bottom;
  double t_step = 1, stock_step = 1, rate_step = 1;
  double t_top = 1, stock_top = 1, rate_top = 1;

  // One scale for every report given, so that charts drawn side by side compare at a glance.
  explicit ChartScale(std::initializer_list<const SurgeReport*> reports) {
    double max_t = 1;
    int64_t max_stock = 1, max_rate = 1;
    for (const SurgeReport* r : reports) {
      max_t = std::max(max_t, static_cast<double>(r->timeline.size()));
      for (const auto& [t, s] : r->stock_samples) max_t = std::max(max_t, t);
      for (const auto& [t, s] : r->stock_samples) max_stock = std::max(max_stock, s);
      for (const auto& s : r->timeline) max_rate = std::max({max_rate, s.sold, s.out_of_stock});
    }
    t_step = nice_step(max_t, 10);
    stock_step = nice_step(max_stock, 5);
    rate_step = nice_step(max_rate, 5);
    t_top = std::ceil(std::max(max_t, 1.0) / t_step) * t_step;
    stock_top = std::ceil(max_stock / stock_step) * stock_step;
    rate_top = std::ceil(max_rate / rate_step) * rate_step;
  }
  double x(double t) const { return left + plot_w * t / t_top; }
  double y_stock(double v) const { return top + plot_h * (1.0 - v / stock_top); }
  double y_rate(double v) const { return top + plot_h * (1.0 - v / rate_top); }
};

// The grid, the ticks of the three axes and their titles.
std::string chart_axes(const ChartScale& c) {
  constexpr double left = ChartScale::left, top = ChartScale::top;
  constexpr double plot_w = ChartScale::plot_w, plot_h = ChartScale::plot_h;
  const double stock_top = c.stock_top, rate_top = c.rate_top, t_top = c.t_top;
  const double stock_step = c.stock_step, rate_step = c.rate_step, t_step = c.t_step;
  auto x = [&](double t) { return c.x(t); };
  auto y_stock = [&](double v) { return c.y_stock(v); };
  auto y_rate = [&](double v) { return c.y_rate(v); };
  std::string svg;
  for (double v = 0; v <= stock_top + 1e-9; v += stock_step) {  // grid and left ticks
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#e5e5e5\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"#1f77b4\">{5:.0f}</text>\n",
        left, left + plot_w, y_stock(v), left - 6, y_stock(v) + 4, v);
  }
  for (double v = 0; v <= rate_top + 1e-9; v += rate_step) {
    svg += fmt::format("<text x=\"{0}\" y=\"{1:.1f}\" fill=\"#555\">{2:.0f}</text>\n",
                       left + plot_w + 6, y_rate(v) + 4, v);
  }
  for (double t = 0; t <= t_top + 1e-9; t += t_step) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#999\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4:.0f}</text>\n",
        x(t), top + plot_h, top + plot_h + 5, top + plot_h + 18, t);
  }
  svg += fmt::format(
      "<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{3}\" fill=\"none\" stroke=\"#999\"/>\n"
      "<text transform=\"translate({4},{5}) rotate(-90)\" text-anchor=\"middle\" "
      "fill=\"#1f77b4\">stock (units)</text>\n"
      "<text transform=\"translate({6},{5}) rotate(90)\" text-anchor=\"middle\" "
      "fill=\"#555\">orders per second</text>\n"
      "<text x=\"{7}\" y=\"{8}\" text-anchor=\"middle\">seconds since the surge began</text>\n",
      left, top, plot_w, plot_h, left - 48, top + plot_h / 2, left + plot_w + 48, left + plot_w / 2,
      top + plot_h + 36);
  return svg;
}

// The stock line, the sold and refused rates, and the stock-out and restock marks.
std::string chart_lines(const ChartScale& c, const SurgeReport& r) {
  constexpr double top = ChartScale::top, plot_h = ChartScale::plot_h;
  auto x = [&](double t) { return c.x(t); };
  auto y_stock = [&](double v) { return c.y_stock(v); };
  auto y_rate = [&](double v) { return c.y_rate(v); };
  std::string svg;
  const auto events = stock_events(r.stock_samples);
  // Stock-out labels on the first line, restock labels on the second: close events stay legible.
  auto marks = [&](const std::vector<double>& at, const char* color, const char* label,
                   double label_y) {
    for (double t : at) {
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" "
          "stroke-dasharray=\"4 3\"/><text x=\"{4:.1f}\" y=\"{5}\" fill=\"{3}\" "
          "font-size=\"11\">{6}</text>\n",
          x(t), top, top + plot_h, color, x(t) + 3, label_y, label);
    }
  };
  marks(events.outs, "#d62728", "stock-out", top + 12);
  marks(events.restocks, "#2ca02c", "restocked", top + 26);
  auto polyline = [&](const std::vector<std::pair<double, double>>& points, const char* color) {
    std::string p;
    for (const auto& [px, py] : points) p += fmt::format("{:.1f},{:.1f} ", px, py);
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
                       color, p);
  };
  std::vector<std::pair<double, double>> stock, sold, refused;
  for (const auto& [t, s] : r.stock_samples) stock.emplace_back(x(t), y_stock(double(s)));
  for (std::size_t i = 0; i < r.timeline.size(); ++i) {
    const double t = static_cast<double>(i) + 0.5;
    sold.emplace_back(x(t), y_rate(static_cast<double>(r.timeline[i].sold)));
    refused.emplace_back(x(t), y_rate(static_cast<double>(r.timeline[i].out_of_stock)));
  }
  polyline(stock, "#1f77b4");
  polyline(sold, "#2ca02c");
  polyline(refused, "#d62728");
  return svg;
}

// The legend under a chart whose plot area ends at `bottom`.
std::string legend(double bottom) {
  constexpr double left = ChartScale::left;
  const double ly = bottom + 58;
  return fmt::format(
      "<rect x=\"{0}\" y=\"{1}\" width=\"12\" height=\"4\" fill=\"#1f77b4\"/>"
      "<text x=\"{2}\" y=\"{3}\">stock (left axis)</text>\n"
      "<rect x=\"{4}\" y=\"{1}\" width=\"12\" height=\"4\" fill=\"#2ca02c\"/>"
      "<text x=\"{5}\" y=\"{3}\">sold/s (right)</text>\n"
      "<rect x=\"{6}\" y=\"{1}\" width=\"12\" height=\"4\" fill=\"#d62728\"/>"
      "<text x=\"{7}\" y=\"{3}\">out of stock (409)/s (right)</text>\n",
      left, ly - 4, left + 16, ly, left + 160, left + 176, left + 290, left + 306);
}

std::string svg_open(double height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "font-family=\"Helvetica,sans-serif\" font-size=\"12\">\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" font-size=\"15\">{3}</text>\n",
      ChartScale::width, height, ChartScale::left, title);
}

}  // namespace

std::string render_chart(const SurgeReport& r, const std::string& title) {
  const ChartScale scale({&r});
  std::string svg = svg_open(ChartScale::height, title);
  svg += chart_axes(scale);
  svg += chart_lines(scale, r);
  svg += legend(ChartScale::top + ChartScale::plot_h);
  return svg + "</svg>\n";
}

std::string render_comparison_chart(const SurgeReport& first, const std::string& first_title,
                                    const SurgeReport& second, const std::string& second_title,
                                    const std::string& title) {
  const ChartScale scale({&first, &second});
  constexpr double panel = ChartScale::height - 40;  // the second panel's offset
  std::string svg = svg_open(ChartScale::height + panel, title);
  const auto panel_title = [](double y, const std::string& text) {
    return fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-weight=\"bold\">{}</text>\n",
        ChartScale::left + ChartScale::plot_w, y, text);
  };
  svg += panel_title(ChartScale::top - 6, first_title);
  svg += chart_axes(scale) + chart_lines(scale, first);
  svg += fmt::format("<g transform=\"translate(0,{})\">\n", panel);
  svg += panel_title(ChartScale::top - 6, second_title);
  svg += chart_axes(scale) + chart_lines(scale, second) + "</g>\n";
  svg += legend(panel + ChartScale::top + ChartScale::plot_h);
  return svg + "</svg>\n";
}

}  // namespace donut::surge
