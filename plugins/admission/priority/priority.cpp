#include "priority.h"

#include <spdlog/logger.h>

#include <vector>

#include "system_priority_classes.h"
#include "ukube/informer_factory.h"

namespace ukube::admission {
namespace {

constexpr auto kReadyWait = std::chrono::seconds(10);
constexpr const char* kPreemptLowerPriority = "PreemptLowerPriority";

std::optional<int64_t> integer(const json::value* v) {
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

bool global_default(const json::object& c) {
  const json::value* v = c.if_contains("globalDefault");
  return v && v->is_bool() && v->get_bool();
}

int64_t value_of(const json::object& c) {
  return integer(c.if_contains("value")).value_or(0);
}

// Should a race have left several defaults, the lowest wins (as upstream decides).
ObjectPtr default_class(const std::vector<ObjectPtr>& classes) {
  ObjectPtr chosen;
  for (const auto& c : classes)
    if (c && global_default(*c) && (!chosen || value_of(*c) < value_of(*chosen))) chosen = c;
  return chosen;
}

PriorityAdmission::Resolution resolution_of(const json::object& c) {
  return {name_of(c), value_of(c), string_at(c, {"preemptionPolicy"})};
}

bool present(const json::value* v) {
  return v && !v->is_null();
}

}  // namespace

PriorityAdmission::PriorityAdmission(std::shared_ptr<Client> client, std::shared_ptr<Informer> classes)
    : client_(std::move(client)), classes_(std::move(classes)) {}

void PriorityAdmission::wait_ready(const AdmissionRequest& r, bool mutating) {
  if (!classes_->wait_for_sync(kReadyWait)) throw forbidden(r, "not yet ready to handle request", mutating);
}

ObjectPtr PriorityAdmission::find_class(const std::string& name) {
  if (ObjectPtr c = classes_->get(name)) return c;
  try {
    return client_->get(kPriorityClasses, "", name);
  } catch (const ApiError& e) {
    if (is_not_found(e)) return nullptr;
    throw ApiError::internal("failed to get PriorityClass with name " + name + ": " + e.what());
  }
}

PriorityAdmission::Resolution PriorityAdmission::resolve(const AdmissionRequest& r,
                                                         const std::string& class_name) {
  if (class_name.empty()) {
    if (ObjectPtr d = default_class(classes_->list())) return resolution_of(*d);
    return {"", 0, kPreemptLowerPriority};
  }
  ObjectPtr c = find_class(class_name);
  if (!c) throw forbidden(r, "no PriorityClass with name " + class_name + " was found", true);
  return resolution_of(*c);
}

void PriorityAdmission::admit_create(AdmissionRequest& r) {
  json::object& spec = child(*r.object, "spec");
  std::string class_name = string_at(spec, {"priorityClassName"});
  wait_ready(r, true);
  Resolution resolved = resolve(r, class_name);
  if (class_name.empty() && !resolved.class_name.empty()) spec["priorityClassName"] = resolved.class_name;

  const json::value* given = spec.if_contains("priority");
  if (present(given) && integer(given) != resolved.priority) {
    auto p = integer(given);
    throw forbidden(r,
                    "the integer value of priority (" + (p ? std::to_string(*p) : json::serialize(*given)) +
                        ") must not be provided in pod spec; priority admission controller computed " +
                        std::to_string(resolved.priority) + " from the given PriorityClass name",
                    true);
  }
  spec["priority"] = resolved.priority;

  if (resolved.preemption_policy.empty()) return;
  std::string policy = string_at(spec, {"preemptionPolicy"});
  if (!policy.empty() && policy != resolved.preemption_policy)
    throw forbidden(r,
                    "the string value of PreemptionPolicy (" + policy +
                        ") must not be provided in pod spec; priority admission controller computed " +
                        resolved.preemption_policy + " from the given PriorityClass name",
                    true);
  spec["preemptionPolicy"] = resolved.preemption_policy;
}

void PriorityAdmission::admit(AdmissionRequest& r) {
  if (!is_pod(r)) return;
  if (r.operation == AdmissionOperation::Create) return admit_create(r);
  if (r.operation != AdmissionOperation::Update || !r.old_object) return;
  // Both were set on create and validation forbids changing them: an update that leaves
  // them out (a PUT of an older client's view) keeps them rather than failing.
  const json::object* before = object_at(*r.old_object, {"spec"});
  if (!before) return;
  json::object& spec = child(*r.object, "spec");
  for (const char* field : {"priority", "preemptionPolicy"}) {
    const json::value* old_value = before->if_contains(field);
    if (present(old_value) && !present(spec.if_contains(field))) spec[field] = *old_value;
  }
}

void PriorityAdmission::validate(const AdmissionRequest& r) {
  if (!r.object || !is_resource(r, "scheduling.k8s.io", "priorityclasses")) return;
  if (r.operation != AdmissionOperation::Create && r.operation != AdmissionOperation::Update) return;
  if (!global_default(*r.object)) return;
  // Read live rather than from the informer: class writes are rare, and a second default
  // created right after the first must see it even before the informer does.
  ObjectList classes;
  try {
    classes = client_->list(kPriorityClasses, "");
  } catch (const ApiError& e) {
    throw ApiError::internal(std::string("failed to get default priority class: ") + e.what());
  }
  ObjectPtr current = default_class(classes.items);
  if (!current) return;
  if (r.operation == AdmissionOperation::Create || name_of(*current) != name_of(*r.object))
    throw forbidden(
        r, "PriorityClass " + name_of(*current) + " is already marked as default. Only one default can exist",
        false);
}

PriorityPlugin::PriorityPlugin() = default;

PriorityPlugin::~PriorityPlugin() {
  stop();
}

void PriorityPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  for (const auto& gvr : {kPods, kPriorityClasses})
    if (!ctx.types().find(gvr))
      throw std::runtime_error("the type " + gvr.to_string() +
                               " is not registered; enable ukube.types.v1.builtin in the config");
  auto apiserver = ctx.client(apiserver_identity());
  classes_ = ctx.informers().informer(kPriorityClasses);
  bootstrap_ = std::make_shared<SystemPriorityClassBootstrap>(apiserver, classes_, log_);
  join_chain(ctx, std::make_shared<PriorityAdmission>(apiserver, classes_));
}

void PriorityPlugin::start() {
  if (!classes_->wait_for_sync(kReadyWait) && log_)
    log_->warn("priority classes not listed yet; pods wait for them");
  bootstrap_->start();
}

void PriorityPlugin::stop_workers() {
  if (bootstrap_) bootstrap_->stop();
}

}  // namespace ukube::admission
