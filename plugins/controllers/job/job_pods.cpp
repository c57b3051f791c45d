#include "job_pods.h"

#include <boost/json.hpp>

#include "job_util.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/pod_control.h"
#include "ukube/controller/pod_template.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::job {
namespace json = boost::json;

namespace {

// Upstream's names.MaxGeneratedNameLength: a DNS label less the five random characters.
constexpr size_t kMaxGeneratedNameLength = 63 - 5;

// The downward-API variable each container reads its index from, unless it sets one itself.
void add_index_env(json::object& spec) {
  for (const char* list : {"initContainers", "containers"}) {
    auto* containers = machinery::mutable_array(spec, list);
    if (!containers) continue;
    for (auto& c : *containers) {
      auto* container = c.if_object();
      if (!container) continue;
      auto& env = machinery::child_array(*container, "env");
      bool present = false;
      for (const auto& e : env)
        if (e.is_object() && machinery::string_at(e.get_object(), {"name"}) == kCompletionIndexEnv)
          present = true;
      if (present) continue;
      env.push_back(json::object{
          {"name", kCompletionIndexEnv},
          {"valueFrom",
           json::object{{"fieldRef", json::object{{"fieldPath", std::string("metadata.labels['") +
                                                                    kCompletionIndexKey + "']"}}}}}});
    }
  }
}

}  // namespace

std::string indexed_generate_name(std::string_view job_name, int64_t index) {
  const std::string suffix = "-" + std::to_string(index) + "-";
  std::string name(job_name);
  if (name.size() + suffix.size() > kMaxGeneratedNameLength)
    name.resize(kMaxGeneratedNameLength > suffix.size() ? kMaxGeneratedNameLength - suffix.size() : 0);
  return name + suffix;
}

json::object job_pod(const json::object& job, int64_t index) {
  json::object tmpl = machinery::object_or_empty(machinery::object_at(job, {"spec", "template"}));
  auto& meta = machinery::child(tmpl, "metadata");
  auto& finalizers = machinery::child_array(meta, "finalizers");
  bool tracked = false;
  for (const auto& f : finalizers)
    if (f.is_string() && f.get_string() == kTrackingFinalizer) tracked = true;
  if (!tracked) finalizers.push_back(kTrackingFinalizer);
  if (index >= 0) {
    auto& spec = machinery::child(tmpl, "spec");
    add_index_env(spec);
    machinery::child(meta, "annotations")[kCompletionIndexKey] = std::to_string(index);
    machinery::child(meta, "labels")[kCompletionIndexKey] = std::to_string(index);
    spec["hostname"] = machinery::name_of(job) + "-" + std::to_string(index);
  }
  const json::object ref = machinery::controller_ref(job, kJobKind);
  json::object pod = controller::pod_from_template(tmpl, job, &ref);
  if (index >= 0)
    pod["metadata"].as_object()["generateName"] = indexed_generate_name(machinery::name_of(job), index);
  return pod;
}

JobPodControl::JobPodControl(std::shared_ptr<Client> client, controller::EventRecorder* events)
    : client_(std::move(client)), events_(events) {}

void JobPodControl::record(const json::object& job, const char* type, const char* reason,
                           const std::string& message) {
  if (events_) events_->event(controller::reference_to(job, kJobKind), type, reason, message);
}

ObjectPtr JobPodControl::create(const json::object& job, int64_t index) {
  ObjectPtr created;
  try {
    created = client_->create(machinery::kPods, machinery::namespace_of(job), job_pod(job, index));
  } catch (const ApiError& e) {
    if (!is_namespace_terminating(e))
      record(job, "Warning", controller::kFailedCreatePodReason, "Error creating: " + std::string(e.what()));
    throw;
  }
  record(job, "Normal", controller::kSuccessfulCreatePodReason,
         "Created pod: " + (created ? machinery::name_of(*created) : std::string()));
  return created;
}

bool JobPodControl::remove(const json::object& job, const json::object& pod) {
  const std::string name = machinery::name_of(pod);
  try {
    client_->remove(machinery::kPods, machinery::namespace_of(pod), name);
  } catch (const ApiError& e) {
    if (is_not_found(e)) return false;
    record(job, "Warning", controller::kFailedDeletePodReason, "Error deleting: " + std::string(e.what()));
    throw;
  }
  record(job, "Normal", controller::kSuccessfulDeletePodReason, "Deleted pod: " + name);
  return true;
}

bool JobPodControl::remove_finalizer(const json::object& pod) {
  json::array current, kept;
  if (const auto* finalizers = machinery::array_at(pod, {"metadata", "finalizers"})) current = *finalizers;
  for (const auto& f : current)
    if (!f.is_string() || f.get_string() != kTrackingFinalizer) kept.push_back(f);
  if (kept.size() == current.size()) return true;
  // The test makes the patch fail rather than drop a finalizer someone added meanwhile.
  // An emptied list is removed, as upstream's omitempty serialization leaves it out.
  json::array patch{json::object{{"op", "test"}, {"path", "/metadata/finalizers"}, {"value", current}}};
  if (kept.empty())
    patch.push_back(json::object{{"op", "remove"}, {"path", "/metadata/finalizers"}});
  else
    patch.push_back(json::object{{"op", "replace"}, {"path", "/metadata/finalizers"}, {"value", kept}});
  WriteOptions options;
  options.return_object = false;
  try {
    client_->patch(machinery::kPods, machinery::namespace_of(pod), machinery::name_of(pod),
                   PatchType::JsonPatch, json::serialize(patch), options);
  } catch (const ApiError& e) {
    if (is_not_found(e)) return false;
    throw;
  }
  return true;
}

ObjectPtr JobPodControl::add_finalizer(const json::object& pod) {
  if (has_tracking_finalizer(pod)) return std::make_shared<const json::object>(pod);
  json::array patch;
  if (machinery::array_at(pod, {"metadata", "finalizers"}))
    patch.push_back(
        json::object{{"op", "add"}, {"path", "/metadata/finalizers/-"}, {"value", kTrackingFinalizer}});
  else
    patch.push_back(json::object{
        {"op", "add"}, {"path", "/metadata/finalizers"}, {"value", json::array{kTrackingFinalizer}}});
  try {
    return client_->patch(machinery::kPods, machinery::namespace_of(pod), machinery::name_of(pod),
                          PatchType::JsonPatch, json::serialize(patch));
  } catch (const ApiError& e) {
    if (is_not_found(e)) return nullptr;
    throw;
  }
}

}  // namespace ukube::controllers::job
