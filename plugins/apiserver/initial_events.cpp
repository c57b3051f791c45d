#include "initial_events.h"

#include "encode.h"

namespace ukube::apiserver {

store::Bytes initial_events_end(const TypeInfo& type, int64_t revision) {
  return store::make_bytes("{\"kind\":" + json_quote(type.kind) +
                           ",\"apiVersion\":" + json_quote(type.api_version()) +
                           ",\"metadata\":{\"resourceVersion\":\"" + std::to_string(revision) +
                           "\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}");
}

InitialEventsWatch::InitialEventsWatch(const TypeInfo& type, const RawList& list,
                                       std::unique_ptr<RawWatch> changes)
    : changes_(std::move(changes)) {
  for (const auto& item : list.items) initial_.push_back({WatchEventType::Added, item});
  initial_.push_back({WatchEventType::Bookmark, initial_events_end(type, list.revision)});
}

std::optional<RawWatchEvent> InitialEventsWatch::next(std::chrono::milliseconds timeout) {
  if (initial_.empty()) return changes_->next(timeout);
  RawWatchEvent e = std::move(initial_.front());
  initial_.pop_front();
  return e;
}

std::vector<RawWatchEvent> InitialEventsWatch::poll(size_t max_events) {
  if (initial_.empty()) return changes_->poll(max_events);
  std::vector<RawWatchEvent> out;
  while (!initial_.empty() && out.size() < max_events) {
    out.push_back(std::move(initial_.front()));
    initial_.pop_front();
  }
  return out;
}

}  // namespace ukube::apiserver
