#include "domain/timeline.h"

#include <array>
#include <utility>

namespace donut::domain {
namespace {

// One row per kind, in declaration order: the spelling is written in exactly one place.
constexpr std::array<std::pair<TimelineKind, std::string_view>, 17> kKinds = {{
    {TimelineKind::stock_out, "stock_out"},
    {TimelineKind::queued, "queued"},
    {TimelineKind::published, "published"},
    {TimelineKind::superseded, "superseded"},
    {TimelineKind::arrived, "arrived"},
    {TimelineKind::duplicate_arrival, "duplicate_arrival"},
    {TimelineKind::held_arrival, "held_arrival"},
    {TimelineKind::discarded_arrival, "discarded_arrival"},
    {TimelineKind::delivery, "delivery"},
    {TimelineKind::duplicate_delivery, "duplicate_delivery"},
    {TimelineKind::busy_delivery, "busy_delivery"},
    {TimelineKind::factory_accepted, "factory_accepted"},
    {TimelineKind::factory_rejected, "factory_rejected"},
    {TimelineKind::factory_timeout, "factory_timeout"},
    {TimelineKind::factory_unavailable, "factory_unavailable"},
    {TimelineKind::factory_error, "factory_error"},
    {TimelineKind::mail, "mail"},
}};

constexpr std::array<TimelineKind, kKinds.size()> kKindValues = [] {
  std::array<TimelineKind, kKinds.size()> values{};
  for (std::size_t i = 0; i < kKinds.size(); ++i) values[i] = kKinds[i].first;
  return values;
}();

// Answers in declaration order, each with its timeline kind and its spelling.
struct AnswerRow {
  FactoryAnswer answer;
  TimelineKind kind;
  std::string_view name;
};
constexpr std::array<AnswerRow, 5> kAnswers = {{
    {FactoryAnswer::accepted, TimelineKind::factory_accepted, "accepted"},
    {FactoryAnswer::rejected, TimelineKind::factory_rejected, "rejected"},
    {FactoryAnswer::timeout, TimelineKind::factory_timeout, "timeout"},
    {FactoryAnswer::unavailable, TimelineKind::factory_unavailable, "unavailable"},
    {FactoryAnswer::error, TimelineKind::factory_error, "error"},
}};

constexpr std::array<FactoryAnswer, kAnswers.size()> kAnswerValues = [] {
  std::array<FactoryAnswer, kAnswers.size()> values{};
  for (std::size_t i = 0; i < kAnswers.size(); ++i) values[i] = kAnswers[i].answer;
  return values;
}();

static_assert([] {
  for (std::size_t i = 0; i < kKinds.size(); ++i) {
    if (static_cast<std::size_t>(kKinds[i].first) != i) return false;
  }
  for (std::size_t i = 0; i < kAnswers.size(); ++i) {
    if (static_cast<std::size_t>(kAnswers[i].answer) != i) return false;
  }
  return true;
}());

}  // namespace

std::span<const TimelineKind> all_timeline_kinds() noexcept {
  return kKindValues;
}

std::string_view to_string(TimelineKind kind) noexcept {
  return kKinds[static_cast<std::size_t>(kind)].second;
}

std::optional<TimelineKind> parse_timeline_kind(std::string_view text) noexcept {
  for (const auto& [kind, name] : kKinds) {
    if (name == text) return kind;
  }
  return std::nullopt;
}

std::span<const FactoryAnswer> all_factory_answers() noexcept {
  return kAnswerValues;
}

std::string_view to_string(FactoryAnswer answer) noexcept {
  return kAnswers[static_cast<std::size_t>(answer)].name;
}

TimelineKind timeline_kind(FactoryAnswer answer) noexcept {
  return kAnswers[static_cast<std::size_t>(answer)].kind;
}

std::optional<FactoryAnswer> factory_answer(TimelineKind kind) noexcept {
  for (const auto& row : kAnswers) {
    if (row.kind == kind) return row.answer;
  }
  return std::nullopt;
}

}  // namespace donut::domain
