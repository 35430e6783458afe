#include "cli/restocks_command.h"

#include "codec/admin_json.h"

namespace donut::cli {

int print_restocks(ports::Store& store, const std::string& product, int limit, bool json,
                   std::FILE* out) {
  auto history = store.restock_history(product, static_cast<std::size_t>(limit));
  if (!history) {
    std::fprintf(stderr, "donut: %s\n", history.error().message.c_str());
    return 3;
  }
  if (json) {
    std::fprintf(out, "%s\n", codec::restock_history_json(*history).c_str());
    return 0;
  }
  if (history->empty())
    std::fprintf(out, "no restocks%s%s\n", product.empty() ? "" : " of ", product.c_str());
  for (const auto& h : *history) {
    const auto& r = h.restock;
    std::fprintf(out, "RESTOCK %s  %s x %lld  %s  opened %s", r.id.c_str(), r.product_id.c_str(),
                 static_cast<long long>(r.quantity),
                 std::string(domain::to_string(r.state)).c_str(),
                 format_rfc3339(r.opened_at).c_str());
    if (h.arrived_at) {
      std::fprintf(out, "  lead time %.1f s",
                   std::chrono::duration<double>(*h.arrived_at - r.opened_at).count());
    }
    std::fprintf(out, "\n");
    for (const auto& e : h.events) {
      std::fprintf(out, "  %+10.3f s  %-19s %s\n",
                   std::chrono::duration<double>(e.at - r.opened_at).count(),
                   std::string(domain::to_string(e.kind)).c_str(), e.detail.c_str());
    }
  }
  return 0;
}

}  // namespace donut::cli
