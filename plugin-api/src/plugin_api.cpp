// Out-of-line members of the plugin-api interfaces: key functions that pin each
// interface's vtable and RTTI into libukube-core, and the blocking Store helpers.
#include <future>

#include "ukube/front_end.h"
#include "ukube/plugin.h"
#include "ukube/store.h"
#include "ukube/watch.h"

namespace ukube {
Plugin::~Plugin() = default;
InitContext::~InitContext() = default;
ApiFrontEnd::~ApiFrontEnd() = default;
}  // namespace ukube

namespace ukube::store {

EventSink::~EventSink() = default;
Store::~Store() = default;

WriteResult Store::write(WriteRequest request) {
  std::promise<WriteResult> promise;
  auto future = promise.get_future();
  submit(std::move(request), [&promise](WriteResult r) { promise.set_value(std::move(r)); });
  return future.get();
}

WriteResult Store::create(std::string_view key, Bytes value) {
  return write({WriteKind::Create, std::string(key), constant(std::move(value)), 0});
}

WriteResult Store::update(std::string_view key, Bytes value, int64_t expected_mod_revision) {
  return write({WriteKind::Update, std::string(key), constant(std::move(value)), expected_mod_revision});
}

WriteResult Store::remove(std::string_view key, int64_t expected_mod_revision) {
  return write({WriteKind::Delete, std::string(key), {}, expected_mod_revision});
}

std::string_view to_string(WriteStatus status) {
  switch (status) {
    case WriteStatus::Ok: return "ok";
    case WriteStatus::AlreadyExists: return "already exists";
    case WriteStatus::NotFound: return "not found";
    case WriteStatus::Conflict: return "conflict";
  }
  return "unknown";
}

}  // namespace ukube::store

namespace ukube::watch {
Watcher::~Watcher() = default;
WatchBus::~WatchBus() = default;
}  // namespace ukube::watch
