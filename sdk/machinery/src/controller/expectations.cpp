#include "ukube/controller/expectations.h"

#include <utility>

namespace ukube::controller {

ControllerExpectations::ControllerExpectations(Now now, std::chrono::nanoseconds timeout)
    : now_(now ? std::move(now) : Now([] { return ExpectationsClock::now(); })), timeout_(timeout) {}

bool ControllerExpectations::satisfied(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(key);
  // Nothing recorded: a controller seen for the first time, or one whose expectations
  // were forgotten. Either way its cache is all there is.
  if (it == records_.end()) return true;
  const Record& r = it->second;
  if (r.expected.adds <= 0 && r.expected.deletes <= 0) return true;
  // A lost watch event must not stall the controller forever.
  return now_() - r.set_at > timeout_;
}

std::optional<Expected> ControllerExpectations::get(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(key);
  if (it == records_.end()) return std::nullopt;
  return it->second.expected;
}

void ControllerExpectations::set(const std::string& key, int64_t adds, int64_t deletes) {
  std::lock_guard lock(mutex_);
  records_[key] = {{adds, deletes}, now_()};
}

void ControllerExpectations::raise(const std::string& key, int64_t adds, int64_t deletes) {
  lower(key, -adds, -deletes);
}

void ControllerExpectations::lower(const std::string& key, int64_t adds, int64_t deletes) {
  std::lock_guard lock(mutex_);
  auto it = records_.find(key);
  if (it == records_.end()) return;
  it->second.expected.adds -= adds;
  it->second.expected.deletes -= deletes;
}

void ControllerExpectations::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  records_.erase(key);
}

TrackingExpectations::TrackingExpectations(ControllerExpectations::Now now, std::chrono::nanoseconds timeout)
    : counts_(std::move(now), timeout) {}

void TrackingExpectations::expect_deletions(const std::string& key, const std::vector<std::string>& objects) {
  std::lock_guard lock(mutex_);
  std::set<std::string>& pending = deleting_[key];
  // Upstream logs this as a bug of the caller: the old deletions are no longer awaited.
  pending = std::set<std::string>(objects.begin(), objects.end());
  counts_.expect_deletions(key, static_cast<int64_t>(pending.size()));
}

void TrackingExpectations::deletion_observed(const std::string& key, const std::string& object) {
  std::lock_guard lock(mutex_);
  auto it = deleting_.find(key);
  if (it == deleting_.end() || it->second.erase(object) == 0) return;
  counts_.deletion_observed(key);
}

std::set<std::string> TrackingExpectations::pending_deletions(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = deleting_.find(key);
  return it == deleting_.end() ? std::set<std::string>{} : it->second;
}

void TrackingExpectations::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  counts_.forget(key);
  deleting_.erase(key);
}

}  // namespace ukube::controller
