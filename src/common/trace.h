// W3C Trace Context for one restock's journey. The trace id is derived from the restock id
// (the first 16 bytes of its SHA-256), so every role, process and host names the same trace
// for the same restock without coordination, and a `traceparent` travels with each message and
// with the factory call where a tracing system would read it
// (https://www.w3.org/TR/trace-context/: "00-<32 hex trace id>-<16 hex parent id>-01").
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace donut::trace {

// 32 lower-case hex digits, never all zero.
std::string trace_id_for(std::string_view restock_id);
// A traceparent in `trace_id` with a fresh parent (span) id, sampled.
std::string traceparent(std::string_view trace_id);
// The trace id of a well-formed version-00 traceparent, else nothing.
std::optional<std::string> trace_id_of(std::string_view traceparent);

}  // namespace donut::trace
