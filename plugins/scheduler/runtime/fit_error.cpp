#include "runtime/fit_error.h"

#include <algorithm>
#include <map>

namespace ukube::scheduler {

std::string histogram_message(size_t num_nodes, const std::vector<const Status*>& statuses) {
  std::map<std::string, int> counts;
  for (const Status* s : statuses)
    for (const auto& r : s->reasons()) ++counts[r];
  std::vector<std::string> parts;
  for (const auto& [reason, n] : counts) parts.push_back(std::to_string(n) + " " + reason);
  std::sort(parts.begin(), parts.end());
  std::string out = "0/" + std::to_string(num_nodes) + " nodes are available";
  if (parts.empty()) return out + ".";
  out += ": ";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + ".";
}

std::string fit_error_message(const Diagnosis& d) {
  std::string out;
  if (!d.pre_filter_message.empty()) {
    out = "0/" + std::to_string(d.num_nodes) + " nodes are available: " + d.pre_filter_message + ".";
  } else {
    std::vector<const Status*> rejected;
    if (d.statuses)
      for (const auto& s : *d.statuses)
        if (s.is_rejected() || s.code() == Code::Error) rejected.push_back(&s);
    out = histogram_message(d.num_nodes, rejected);
  }
  if (!d.post_filter_message.empty()) out += " " + d.post_filter_message;
  return out;
}

}  // namespace ukube::scheduler
