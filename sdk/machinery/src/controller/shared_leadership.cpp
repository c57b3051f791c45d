#include "ukube/controller/shared_leadership.h"

#include <map>
#include <mutex>

namespace ukube::controller {

// The members of one Lease and its elector. The elector's callbacks and joins take the
// group's mutex, so a member is told of every transition exactly once and in order.
struct LeadershipMembership::Group {
  std::mutex mutex;
  std::map<uint64_t, LeaderCallbacks> members;
  uint64_t next_id = 1;
  bool leading = false;
  std::unique_ptr<LeaderElector> elector;  // set once, before the group is shared
  std::string key;
};

namespace {

std::mutex registry_mutex;
std::map<std::string, std::weak_ptr<LeadershipMembership::Group>>& registry() {
  static auto* groups = new std::map<std::string, std::weak_ptr<LeadershipMembership::Group>>;
  return *groups;
}

}  // namespace

LeadershipMembership join_leadership(std::shared_ptr<Client> client, LeaseSettings settings,
                                     LeaderCallbacks callbacks) {
  const std::string key = settings.ns + "/" + settings.name;
  std::shared_ptr<LeadershipMembership::Group> group;
  bool created = false;
  {
    std::lock_guard lock(registry_mutex);
    group = registry()[key].lock();
    if (!group) {
      group = std::make_shared<LeadershipMembership::Group>();
      group->key = key;
      if (settings.identity.empty()) settings.identity = default_identity();
      std::weak_ptr<LeadershipMembership::Group> weak = group;
      auto transition = [weak](bool leading) {
        auto g = weak.lock();
        if (!g) return;
        std::lock_guard lock(g->mutex);
        if (g->leading == leading) return;
        g->leading = leading;
        for (auto& [id, member] : g->members) {
          auto& call = leading ? member.started_leading : member.stopped_leading;
          if (call) call();
        }
      };
      group->elector = std::make_unique<LeaderElector>(
          std::move(client), std::move(settings),
          LeaderCallbacks{[transition] { transition(true); }, [transition] { transition(false); }});
      registry()[key] = group;
      created = true;
    }
  }
  LeadershipMembership membership;
  {
    std::lock_guard lock(group->mutex);
    membership.id_ = group->next_id++;
    if (group->leading && callbacks.started_leading) callbacks.started_leading();
    group->members.emplace(membership.id_, std::move(callbacks));
  }
  membership.group_ = group;
  if (created) group->elector->start();
  return membership;
}

LeadershipMembership::~LeadershipMembership() {
  reset();
}

LeadershipMembership::LeadershipMembership(LeadershipMembership&& other) noexcept
    : group_(std::move(other.group_)), id_(other.id_) {
  other.id_ = 0;
}

LeadershipMembership& LeadershipMembership::operator=(LeadershipMembership&& other) noexcept {
  if (this != &other) {
    reset();
    group_ = std::move(other.group_);
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

void LeadershipMembership::reset() {
  if (!group_) return;
  bool last = false;
  {
    std::lock_guard lock(group_->mutex);
    auto it = group_->members.find(id_);
    if (it != group_->members.end()) {
      if (group_->leading && it->second.stopped_leading) it->second.stopped_leading();
      group_->members.erase(it);
    }
    last = group_->members.empty();
  }
  if (last) {
    {
      std::lock_guard lock(registry_mutex);
      auto it = registry().find(group_->key);
      if (it != registry().end() && it->second.lock() == group_) registry().erase(it);
    }
    group_->elector->stop();  // releases the Lease; its stopped_leading finds no members
  }
  group_.reset();
  id_ = 0;
}

}  // namespace ukube::controller
