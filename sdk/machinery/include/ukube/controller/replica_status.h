#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/machinery/export.h"
#include "ukube/machinery/time.h"

// The status of a ReplicaSet or ReplicationController as upstream's replica controller
// computes and writes it (calculateStatus, updateReplicaSetStatus).
namespace ukube::controller {

// The condition a failed create or delete sets, with reason FailedCreate or FailedDelete.
inline constexpr const char* kReplicaFailureCondition = "ReplicaFailure";

// The owner's status for its claimed, active `pods`: replicas; fullyLabeledReplicas (pods
// carrying every label of the template); readyReplicas; availableReplicas (ready for
// spec.minReadySeconds at `now`). `manage_error` is what failed while creating or deleting
// pods: it sets ReplicaFailure (when not set yet), its absence removes it. Other members
// of the owner's status are kept; zero counts are left out as upstream's omitempty does.
UKUBE_MACHINERY_API boost::json::object replica_status(const boost::json::object& owner,
                                                       const std::vector<ObjectPtr>& pods,
                                                       const std::optional<std::string>& manage_error,
                                                       machinery::Clock::time_point now);

// Whether the owner's status must be written: a count or the conditions differ from
// `status`, or its metadata.generation is not status.observedGeneration yet.
UKUBE_MACHINERY_API bool replica_status_outdated(const boost::json::object& owner,
                                                 const boost::json::object& status);

// Writes `status` with observedGeneration = the owner's generation through the status
// subresource when it is outdated; after a failed update it reads the owner afresh and
// tries once more. Returns the owner as written, or `owner` itself when nothing needed
// writing. Throws the last error.
UKUBE_MACHINERY_API ObjectPtr update_replica_status(Client& client, const GroupVersionResource& resource,
                                                    const ObjectPtr& owner, boost::json::object status);

}  // namespace ukube::controller
