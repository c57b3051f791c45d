#include "ukube/controller/pod_control.h"

#include <stdexcept>

#include <boost/json.hpp>

#include "ukube/controller/event_recorder.h"
#include "ukube/controller/pod_template.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::controller {
namespace json = boost::json;

PodControl::PodControl(std::shared_ptr<Client> client, EventRecorder* events)
    : client_(std::move(client)), events_(events) {}

void PodControl::record(const ObjectReference& involved, const char* type, const char* reason,
                        const std::string& message) {
  if (events_) events_->event(involved, type, reason, message);
}

ObjectPtr PodControl::create_pod(const std::string& ns, const json::object& pod_template,
                                 const json::object& owner, const ObjectReference& involved,
                                 const json::object& controller_ref) {
  if (std::string why = controller_ref_error(&controller_ref); !why.empty()) throw std::invalid_argument(why);
  json::object pod = pod_from_template(pod_template, owner, &controller_ref);
  const auto* labels = machinery::object_at(pod, {"metadata", "labels"});
  if (!labels || labels->empty()) throw std::invalid_argument("unable to create pods, no labels");
  ObjectPtr created;
  try {
    created = client_->create(machinery::kPods, ns, pod);
  } catch (const ApiError& e) {
    if (!is_namespace_terminating(e))
      record(involved, "Warning", kFailedCreatePodReason, "Error creating: " + std::string(e.what()));
    throw;
  }
  record(involved, "Normal", kSuccessfulCreatePodReason,
         "Created pod: " + (created ? machinery::name_of(*created) : std::string()));
  return created;
}

void PodControl::delete_pod(const std::string& ns, const std::string& name, const ObjectReference& involved) {
  try {
    client_->remove(machinery::kPods, ns, name);
  } catch (const ApiError& e) {
    if (is_not_found(e)) throw;
    record(involved, "Warning", kFailedDeletePodReason, "Error deleting: " + std::string(e.what()));
    throw std::runtime_error("unable to delete pods: " + std::string(e.what()));
  }
  record(involved, "Normal", kSuccessfulDeletePodReason, "Deleted pod: " + name);
}

}  // namespace ukube::controller
