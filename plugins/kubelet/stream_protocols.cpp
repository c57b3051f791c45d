#include "stream_protocols.h"

#include <algorithm>

namespace ukube::kubelet {

std::vector<std::string_view> protocols_in(std::string_view offered) {
  std::vector<std::string_view> out;
  while (!offered.empty()) {
    const auto comma = offered.find(',');
    std::string_view one = offered.substr(0, comma);
    while (!one.empty() && (one.front() == ' ' || one.front() == '\t')) one.remove_prefix(1);
    while (!one.empty() && (one.back() == ' ' || one.back() == '\t')) one.remove_suffix(1);
    if (!one.empty()) out.push_back(one);
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return out;
}

std::string choose_protocol(std::string_view offered, std::initializer_list<std::string_view> spoken) {
  for (std::string_view one : protocols_in(offered))
    if (std::find(spoken.begin(), spoken.end(), one) != spoken.end()) return std::string(one);
  return {};
}

}  // namespace ukube::kubelet
