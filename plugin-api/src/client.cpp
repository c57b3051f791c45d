#include "ukube/client.h"

namespace ukube {

Client::~Client() = default;
WatchStream::~WatchStream() = default;

std::vector<WatchEvent> WatchStream::poll(size_t max_events) {
  std::vector<WatchEvent> events;
  while (events.size() < max_events) {
    auto event = next(std::chrono::milliseconds(0));
    if (!event) break;
    events.push_back(std::move(*event));
  }
  return events;
}

bool WatchStream::on_ready(std::function<void()>) {
  return false;
}

std::string_view to_string(WatchEventType type) {
  switch (type) {
    case WatchEventType::Added: return "ADDED";
    case WatchEventType::Modified: return "MODIFIED";
    case WatchEventType::Deleted: return "DELETED";
    case WatchEventType::Bookmark: return "BOOKMARK";
    case WatchEventType::Error: return "ERROR";
  }
  return "UNKNOWN";
}

}  // namespace ukube

#include "ukube/pipeline.h"

namespace ukube {
RawWatch::~RawWatch() = default;
RequestPipeline::~RequestPipeline() = default;
}  // namespace ukube
