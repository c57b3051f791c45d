#include "kernel/pipeline/list_order.h"

#include <algorithm>
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

namespace {

ElementIdentity identity_by(std::string_view merge_key) {
  return [merge_key](const boost::json::value& v) -> boost::json::value {
    if (merge_key.empty()) return v;
    const auto* o = v.if_object();
    const auto* k = o ? o->if_contains(merge_key) : nullptr;
    return k ? *k : v;
  };
}

// Position of the element with identity `want` in `list`, or -1.
std::ptrdiff_t position(const boost::json::array& list, const boost::json::value& want,
                        const ElementIdentity& id) {
  for (size_t i = 0; i < list.size(); ++i)
    if (id(list[i]) == want) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

}  // namespace

void interleave_patch_order(boost::json::array& merged, const boost::json::array& original,
                            const boost::json::array& patch, std::string_view merge_key) {
  ElementIdentity id = identity_by(merge_key);
  // Split the merged elements: named by the patch (kept in patch order) or server-only
  // (kept in their current, i.e. server, order).
  std::vector<std::pair<std::ptrdiff_t, size_t>> from_patch;  // (index in patch, index in merged)
  std::vector<size_t> server_only;
  for (size_t i = 0; i < merged.size(); ++i) {
    std::ptrdiff_t at = position(patch, id(merged[i]), id);
    if (at >= 0)
      from_patch.emplace_back(at, i);
    else
      server_only.push_back(i);
  }
  std::stable_sort(from_patch.begin(), from_patch.end());

  auto server_position = [&](size_t merged_index) {
    return position(original, id(merged[merged_index]), id);
  };
  boost::json::array out;
  out.reserve(merged.size());
  size_t s = 0, p = 0;
  while (s < server_only.size() || p < from_patch.size()) {
    bool take_server = p == from_patch.size();
    if (!take_server && s < server_only.size()) {
      std::ptrdiff_t left = server_position(server_only[s]);
      std::ptrdiff_t right = server_position(from_patch[p].second);
      take_server = left >= 0 && right >= 0 && left < right;
    }
    out.push_back(std::move(merged[take_server ? server_only[s++] : from_patch[p++].second]));
  }
  merged = std::move(out);
}

void order_list(boost::json::array& list, const boost::json::array& order, std::string_view merge_key) {
  ElementIdentity id = identity_by(merge_key);
  std::vector<boost::json::value> wanted;
  wanted.reserve(order.size());
  for (const auto& o : order) wanted.push_back(id(o));
  order_list(list, wanted, id);
}

}  // namespace ukube::pipeline
