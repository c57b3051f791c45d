#include "ukube/controller/replica_kind.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/resources.h"

namespace ukube::controller {
namespace json = boost::json;

const ReplicaKind& replica_set_kind() {
  static const ReplicaKind kind{
      machinery::kReplicaSets,
      {"apps", "v1", "ReplicaSet"},
      "replicaset",
      [](const json::object& owner, std::string* error) -> std::optional<LabelSelector> {
        const auto* selector = machinery::object_at(owner, {"spec", "selector"});
        if (!selector) return machinery::selector_from_json_or_nothing(nullptr);
        return machinery::selector_from_json(*selector, error);
      }};
  return kind;
}

const ReplicaKind& replication_controller_kind() {
  static const ReplicaKind kind{machinery::kReplicationControllers,
                                {"", "v1", "ReplicationController"},
                                "replicationmanager",
                                [](const json::object& owner, std::string*) -> std::optional<LabelSelector> {
                                  // As upstream converts it: a missing map selects nothing, an empty one
                                  // everything.
                                  const auto* selector = machinery::object_at(owner, {"spec", "selector"});
                                  if (!selector) return machinery::selector_from_json_or_nothing(nullptr);
                                  return machinery::selector_from_map(*selector);
                                }};
  return kind;
}

}  // namespace ukube::controller
