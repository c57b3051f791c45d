#include "encode.h"

#include <array>
#include <boost/json.hpp>

namespace ukube::apiserver {
namespace {

const store::Bytes& comma() {
  static const store::Bytes bytes = store::make_bytes(",");
  return bytes;
}

const store::Bytes& list_tail() {
  static const store::Bytes bytes = store::make_bytes("]}");
  return bytes;
}

const store::Bytes& watch_head(WatchEventType type) {
  static const std::array<store::Bytes, 5> heads = [] {
    std::array<store::Bytes, 5> out;
    for (auto t : {WatchEventType::Added, WatchEventType::Modified, WatchEventType::Deleted,
                   WatchEventType::Bookmark, WatchEventType::Error})
      out[static_cast<size_t>(t)] =
          store::make_bytes("{\"type\":\"" + std::string(to_string(t)) + "\",\"object\":");
    return out;
  }();
  return heads[static_cast<size_t>(type)];
}

const store::Bytes& watch_tail() {
  static const store::Bytes bytes = store::make_bytes("}\n");
  return bytes;
}

}  // namespace

std::string json_quote(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

std::string list_metadata_json(const RawList& list) {
  std::string meta = "{\"resourceVersion\":\"" + std::to_string(list.revision) + "\"";
  if (!list.continue_token.empty()) meta += ",\"continue\":" + json_quote(list.continue_token);
  if (list.remaining_item_count)
    meta += ",\"remainingItemCount\":" + std::to_string(*list.remaining_item_count);
  return meta + "}";
}

void encode_list(const TypeInfo& type, const RawList& list, Body& out) {
  std::string kind = type.list_kind.empty() ? type.kind + "List" : type.list_kind;
  out.append("{\"kind\":" + json_quote(kind) + ",\"apiVersion\":" + json_quote(type.api_version()) +
             ",\"metadata\":" + list_metadata_json(list) + ",\"items\":[");
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i) out.append(comma());
    out.append(list.items[i]);
  }
  out.append(list_tail());
}

void encode_watch_line(const RawWatchEvent& event, Body& out) {
  out.append(watch_head(event.type));
  out.append(event.object);
  out.append(watch_tail());
}

std::string Body::flatten() const {
  std::string out;
  out.reserve(size_);
  for (const auto& p : pieces_) out += *p;
  return out;
}

}  // namespace ukube::apiserver
