#pragma once

#include <memory>
#include <string>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/controller/event_correlator.h"
#include "ukube/machinery/export.h"

// How controllers create and delete their pods (upstream's RealPodControl): the write,
// then the Event on the owner that `kubectl describe` shows:
//   Normal   SuccessfulCreate  Created pod: web-7d4b9
//   Warning  FailedCreate      Error creating: pods "web-x" is forbidden: exceeded quota ...
//   Normal   SuccessfulDelete  Deleted pod: web-7d4b9
//   Warning  FailedDelete      Error deleting: ...
namespace ukube::controller {

class EventRecorder;

// Upstream's event reasons (also the ReplicaFailure condition's reasons).
inline constexpr const char* kFailedCreatePodReason = "FailedCreate";
inline constexpr const char* kSuccessfulCreatePodReason = "SuccessfulCreate";
inline constexpr const char* kFailedDeletePodReason = "FailedDelete";
inline constexpr const char* kSuccessfulDeletePodReason = "SuccessfulDelete";

class UKUBE_MACHINERY_API PodControl {
 public:
  // `events` may be null (no events).
  PodControl(std::shared_ptr<Client> client, EventRecorder* events);

  // Creates a pod from `pod_template` in `ns`, controlled through `controller_ref`, and
  // records the event on `owner`. Returns the created pod; throws the API's error
  // (std::invalid_argument for a template without labels or a bad reference, with no
  // event).
  ObjectPtr create_pod(const std::string& ns, const boost::json::object& pod_template,
                       const boost::json::object& owner, const ObjectReference& involved,
                       const boost::json::object& controller_ref);

  // Deletes pod `ns`/`name` for `involved`. A pod already gone throws the API's NotFound
  // with no event; other failures record FailedDelete and throw std::runtime_error
  // "unable to delete pods: <why>".
  void delete_pod(const std::string& ns, const std::string& name, const ObjectReference& involved);

 private:
  void record(const ObjectReference& involved, const char* type, const char* reason,
              const std::string& message);

  std::shared_ptr<Client> client_;
  EventRecorder* events_;
};

}  // namespace ukube::controller
