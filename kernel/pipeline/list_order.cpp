#include "kernel/pipeline/list_order.h"

#include <boost/json.hpp>

namespace ukube::pipeline {

void order_list(boost::json::array& list, const std::vector<boost::json::value>& order,
                const ElementIdentity& id) {
  std::vector<boost::json::value> ids;
  ids.reserve(list.size());
  for (const auto& element : list) ids.push_back(id(element));

  // Which element each order entry names (first unused match), and back.
  std::vector<size_t> slot_of(list.size(), SIZE_MAX);
  std::vector<size_t> named;
  for (const auto& want : order) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (slot_of[i] == SIZE_MAX && ids[i] == want) {
        slot_of[i] = named.size();
        named.push_back(i);
        break;
      }
    }
  }
  if (named.empty()) return;

  // Unnamed elements ride behind the nearest named element that preceded them.
  std::vector<size_t> front;
  std::vector<std::vector<size_t>> followers(named.size());
  size_t anchor = SIZE_MAX;
  for (size_t i = 0; i < list.size(); ++i) {
    if (slot_of[i] != SIZE_MAX) {
      anchor = slot_of[i];
    } else if (anchor == SIZE_MAX) {
      front.push_back(i);
    } else {
      followers[anchor].push_back(i);
    }
  }
  boost::json::array out;
  out.reserve(list.size());
  for (size_t i : front) out.push_back(std::move(list[i]));
  for (size_t n = 0; n < named.size(); ++n) {
    out.push_back(std::move(list[named[n]]));
    for (size_t i : followers[n]) out.push_back(std::move(list[i]));
  }
  list = std::move(out);
}

void order_list(boost::json::array& list, const boost::json::array& order, std::string_view merge_key) {
  auto id = [&](const boost::json::value& v) -> boost::json::value {
    if (merge_key.empty()) return v;
    const auto* o = v.if_object();
    const auto* k = o ? o->if_contains(merge_key) : nullptr;
    return k ? *k : v;
  };
  std::vector<boost::json::value> wanted;
  wanted.reserve(order.size());
  for (const auto& o : order) wanted.push_back(id(o));
  order_list(list, wanted, id);
}

}  // namespace ukube::pipeline
