#pragma once

#include <memory>
#include <string>

#include "ukube/client.h"
#include "ukube/controller/leader_election.h"
#include "ukube/machinery/export.h"

// One leader Lease per process and lease name, shared by every component that runs
// under it: upstream's controllers all live or stand by together under the one
// kube-controller-manager Lease, and here each is its own plugin. The first member starts
// the elector; the last one to leave stops it, and a leader then releases the Lease so a
// standby server takes over at once.
namespace ukube::controller {

class UKUBE_MACHINERY_API LeadershipMembership {
 public:
  LeadershipMembership() = default;
  ~LeadershipMembership();
  LeadershipMembership(LeadershipMembership&& other) noexcept;
  LeadershipMembership& operator=(LeadershipMembership&& other) noexcept;
  LeadershipMembership(const LeadershipMembership&) = delete;
  LeadershipMembership& operator=(const LeadershipMembership&) = delete;

  // Leaves: calls stopped_leading first when this member was leading.
  void reset();

  struct Group;  // the process's elector for one Lease and its members (opaque)

 private:
  friend UKUBE_MACHINERY_API LeadershipMembership join_leadership(std::shared_ptr<Client>, LeaseSettings,
                                                                  LeaderCallbacks);
  std::shared_ptr<Group> group_;
  uint64_t id_ = 0;
};

// Joins the process's elector for settings.ns/settings.name, creating it with `settings`
// (identity defaults to default_identity()) when this is the first member; later members
// share its identity and timings. `callbacks.started_leading` runs at once when the
// process already leads, else from the elector's thread when it acquires the Lease.
UKUBE_MACHINERY_API LeadershipMembership join_leadership(std::shared_ptr<Client> client,
                                                         LeaseSettings settings, LeaderCallbacks callbacks);

}  // namespace ukube::controller
