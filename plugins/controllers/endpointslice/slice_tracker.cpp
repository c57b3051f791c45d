#include "slice_tracker.h"

#include <set>

#include <boost/json/object.hpp>

#include "slice_format.h"
#include "ukube/machinery/json.h"

namespace ukube::controllers::endpointslice {
namespace json = boost::json;

bool SliceTracker::has(const json::object& slice) const {
  std::lock_guard lock(mutex_);
  auto it = services_.find(service_key_of(slice));
  return it != services_.end() && it->second.generations.count(machinery::uid_of(slice));
}

bool SliceTracker::should_sync(const json::object& slice) const {
  std::lock_guard lock(mutex_);
  auto it = services_.find(service_key_of(slice));
  if (it == services_.end()) return true;
  auto g = it->second.generations.find(machinery::uid_of(slice));
  return g == it->second.generations.end() || generation_of(slice) > g->second;
}

bool SliceTracker::stale(const json::object& service, const std::vector<ObjectPtr>& slices) {
  std::lock_guard lock(mutex_);
  const std::string key = machinery::namespace_of(service) + "/" + machinery::name_of(service);
  const std::string uid = machinery::uid_of(service);
  auto it = services_.find(key);
  if (it == services_.end()) {
    services_[key].service_uid = uid;
    return false;
  }
  Tracked& tracked = it->second;
  if (!tracked.service_uid.empty() && !uid.empty() && tracked.service_uid != uid) tracked.generations.clear();
  tracked.service_uid = uid;
  std::set<std::string> seen;
  for (const auto& slice : slices) {
    const std::string slice_uid = machinery::uid_of(*slice);
    seen.insert(slice_uid);
    auto g = tracked.generations.find(slice_uid);
    if (g != tracked.generations.end() &&
        (g->second == kDeletionExpected || g->second > generation_of(*slice)))
      return true;
  }
  for (const auto& [slice_uid, generation] : tracked.generations)
    if (generation != kDeletionExpected && !seen.count(slice_uid)) return true;
  return false;
}

void SliceTracker::update(const json::object& slice) {
  std::lock_guard lock(mutex_);
  services_[service_key_of(slice)].generations[machinery::uid_of(slice)] = generation_of(slice);
}

void SliceTracker::expect_deletion(const json::object& slice) {
  std::lock_guard lock(mutex_);
  services_[service_key_of(slice)].generations[machinery::uid_of(slice)] = kDeletionExpected;
}

bool SliceTracker::handle_deletion(const json::object& slice) {
  std::lock_guard lock(mutex_);
  auto it = services_.find(service_key_of(slice));
  if (it == services_.end()) return true;
  auto g = it->second.generations.find(machinery::uid_of(slice));
  if (g == it->second.generations.end()) return true;
  const bool expected = g->second == kDeletionExpected;
  it->second.generations.erase(g);
  return expected;
}

void SliceTracker::forget_service(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  services_.erase(ns + "/" + name);
}

}  // namespace ukube::controllers::endpointslice
