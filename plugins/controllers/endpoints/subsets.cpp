#include "subsets.h"

#include <algorithm>
#include <cmath>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"

namespace ukube::controllers::endpoints {
namespace json = boost::json;

namespace {

size_t list_size(const json::object& subset, const char* list) {
  const auto* items = machinery::array_at(subset, {list});
  return items ? items->size() : 0;
}

// The first `n` entries of subset[list] (the list goes when nothing is left).
void keep_first(json::object& subset, const char* list, size_t n) {
  json::array* items = machinery::mutable_array(subset, list);
  if (!items) return;
  if (items->size() > n) items->erase(items->begin() + static_cast<std::ptrdiff_t>(n), items->end());
  if (items->empty()) subset.erase(list);
}

json::object comparable_address(const json::value& address) {
  json::object out = machinery::object_or_empty(address.if_object());
  if (auto* ref = out.if_contains("targetRef"); ref && ref->is_object())
    ref->get_object().erase("resourceVersion");
  return out;
}

}  // namespace

void SubsetsBuilder::add(const json::object& address, bool ready,
                         const std::optional<machinery::EndpointPort>& port) {
  AddressKey key{machinery::string_at(address, {"ip"}), machinery::string_at(address, {"targetRef", "uid"})};
  addresses_.try_emplace(key, address);
  Readiness& readiness = by_port_[port];
  auto [it, inserted] = readiness.try_emplace(key, ready);
  if (!inserted && it->second) it->second = ready;  // not ready wins
}

json::array SubsetsBuilder::build() const {
  // Ports that reach the same addresses (with the same readiness) share a subset.
  std::map<Readiness, std::vector<std::optional<machinery::EndpointPort>>> groups;
  for (const auto& [port, readiness] : by_port_) groups[readiness].push_back(port);

  std::vector<json::object> subsets;
  for (const auto& [readiness, ports] : groups) {
    json::array ready, not_ready, port_list;
    for (const auto& [key, is_ready] : readiness)  // sorted by IP, then uid
      (is_ready ? ready : not_ready).push_back(addresses_.at(key));
    for (const auto& port : ports)  // sorted; the no-port marker is not a port
      if (port) port_list.push_back(port_json(*port));
    json::object subset;
    if (!ready.empty()) subset["addresses"] = std::move(ready);
    if (!not_ready.empty()) subset["notReadyAddresses"] = std::move(not_ready);
    if (!port_list.empty()) subset["ports"] = std::move(port_list);
    subsets.push_back(std::move(subset));
  }
  // A fixed order between subsets: by their text.
  std::vector<std::pair<std::string, size_t>> order;
  for (size_t i = 0; i < subsets.size(); ++i) order.emplace_back(json::serialize(subsets[i]), i);
  std::sort(order.begin(), order.end());
  json::array out;
  for (const auto& [text, i] : order) out.push_back(std::move(subsets[i]));
  return out;
}

json::object port_json(const machinery::EndpointPort& port) {
  json::object out;
  if (!port.name.empty()) out["name"] = port.name;
  out["port"] = port.port;
  out["protocol"] = port.protocol;
  if (port.app_protocol) out["appProtocol"] = *port.app_protocol;
  return out;
}

size_t count_addresses(const json::array& subsets) {
  size_t n = 0;
  machinery::for_each_object(&subsets, [&](const json::object& subset, size_t) {
    n += list_size(subset, "addresses") + list_size(subset, "notReadyAddresses");
  });
  return n;
}

bool truncate_subsets(json::array& subsets, size_t capacity) {
  size_t total_ready = 0, total_not_ready = 0;
  machinery::for_each_object(&subsets, [&](const json::object& subset, size_t) {
    total_ready += list_size(subset, "addresses");
    total_not_ready += list_size(subset, "notReadyAddresses");
  });
  if (total_ready + total_not_ready <= capacity) return false;

  // Ready addresses alone over capacity: cut them and drop every not-ready one; else keep
  // every ready one and share what is left among the not-ready ones.
  const bool cut_ready = total_ready > capacity;
  const size_t budget = cut_ready ? capacity : capacity - total_ready;
  const size_t total = cut_ready ? total_ready : total_not_ready;
  size_t left = budget;
  for (auto& item : subsets) {
    auto* subset = item.if_object();
    if (!subset) continue;
    const size_t in_subset = list_size(*subset, cut_ready ? "addresses" : "notReadyAddresses");
    // Each subset's share, rounded up (computed as upstream does, in floating point), so the
    // last subsets may get less than theirs.
    auto share = static_cast<size_t>(std::ceil((static_cast<double>(in_subset) / static_cast<double>(total)) *
                                               static_cast<double>(budget)));
    share = std::min(share, left);
    if (cut_ready) {
      keep_first(*subset, "addresses", share);
      subset->erase("notReadyAddresses");
      left -= list_size(*subset, "addresses");
    } else {
      keep_first(*subset, "notReadyAddresses", share);
      left -= list_size(*subset, "notReadyAddresses");
    }
  }
  return true;
}

json::array comparable_subsets(const json::array* subsets) {
  json::array out;
  machinery::for_each_object(subsets, [&](const json::object& subset, size_t) {
    json::object copy;
    for (const char* list : {"addresses", "notReadyAddresses"}) {
      const auto* items = machinery::array_at(subset, {list});
      if (!items || items->empty()) continue;
      json::array addresses;
      for (const auto& a : *items) addresses.push_back(comparable_address(a));
      copy[list] = std::move(addresses);
    }
    if (const auto* ports = machinery::array_at(subset, {"ports"}); ports && !ports->empty())
      copy["ports"] = *ports;
    out.push_back(std::move(copy));
  });
  return out;
}

}  // namespace ukube::controllers::endpoints
