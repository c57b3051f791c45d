#include "resources_deleter.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <tuple>

#include <boost/json.hpp>

#include "deletion_conditions.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/versions.h"

namespace ukube::controllers::namespace_ {
namespace json = boost::json;

namespace {

constexpr int kConflictRetries = 10;

bool has_verb(const TypeInfo& type, std::string_view verb) {
  // The kernel's registry fills in the full set for a type that names none.
  return type.verbs.empty() || std::find(type.verbs.begin(), type.verbs.end(), verb) != type.verbs.end();
}

// Client errors meaning "this resource does not offer that call", as upstream treats them.
bool not_supported(const ApiError& e) {
  return e.reason() == "MethodNotAllowed" || is_not_found(e);
}

DeleteOptions background_propagation() {
  DeleteOptions options;
  options.propagation_policy = "Background";
  return options;
}

// Upstream's aggregate of errors: one message as it is, several bracketed, repeats dropped.
std::string aggregate(const std::vector<std::string>& errors) {
  std::vector<std::string> unique;
  for (const auto& e : errors)
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  if (unique.size() == 1) return unique.front();
  std::string out = "[";
  for (size_t i = 0; i < unique.size(); ++i) out += (i ? ", " : "") + unique[i];
  return out + "]";
}

bool finalized(const json::object& ns) {
  const json::array* finalizers = machinery::array_at(ns, {"spec", "finalizers"});
  return !finalizers || finalizers->empty();
}

}  // namespace

std::vector<ContentResource> deletable_resources(const std::vector<TypeInfoPtr>& types) {
  std::map<std::pair<std::string, std::string>, TypeInfoPtr> preferred;  // (group, plural) → type
  for (const auto& type : types) {
    if (!type || !type->namespaced || !has_verb(*type, "delete")) continue;
    auto& chosen = preferred[{type->group, type->plural}];
    if (!chosen || machinery::version_preferred(type->version, chosen->version)) chosen = type;
  }
  std::vector<ContentResource> out;
  out.reserve(preferred.size());
  for (const auto& [key, type] : preferred)
    out.push_back({type->gvr(), has_verb(*type, "list"), has_verb(*type, "deletecollection")});
  return out;
}

std::string describe(const GroupVersionResource& gvr) {
  return gvr.group + "/" + gvr.version + ", Resource=" + gvr.resource;
}

ResourcesDeleter::ResourcesDeleter(DeleterOptions options) : options_(std::move(options)) {}

int64_t ResourcesDeleter::sync(const std::string& name) {
  // Other controllers edit a namespace while it terminates: start from the server's copy.
  ObjectPtr ns = get_namespace(name);
  if (!ns || !machinery::has_deletion_timestamp(*ns)) return 0;

  try {
    ns = retry_on_conflict(ns, [this](const ObjectPtr& current) { return mark_terminating(current); });
  } catch (const ApiError& e) {
    if (is_not_found(e)) return 0;  // gone meanwhile
    throw;
  }
  if (!machinery::has_deletion_timestamp(*ns) || finalized(*ns)) return 0;

  int64_t estimate = delete_all_content(ns);
  if (estimate > 0) return estimate;

  try {
    retry_on_conflict(ns, [this](const ObjectPtr& current) { return finalize(current); });
  } catch (const ApiError& e) {
    // Another controller sharing the token finished first.
    if (!is_not_found(e)) throw;
  }
  if (options_.log)
    options_.log->info("namespace {}: content deleted, finalizer {} removed", name, kFinalizerToken);
  return 0;
}

ObjectPtr ResourcesDeleter::get_namespace(const std::string& name) {
  try {
    return options_.client->get(machinery::kNamespaces, "", name);
  } catch (const ApiError& e) {
    if (is_not_found(e)) return nullptr;
    throw;
  }
}

ObjectPtr ResourcesDeleter::retry_on_conflict(ObjectPtr ns,
                                              const std::function<ObjectPtr(const ObjectPtr&)>& write) {
  for (int attempt = 1;; ++attempt) {
    try {
      return write(ns);
    } catch (const ApiError& e) {
      if (!is_conflict(e) || attempt >= kConflictRetries) throw;
    }
    ObjectPtr latest = options_.client->get(machinery::kNamespaces, "", machinery::name_of(*ns));
    if (machinery::uid_of(*latest) != machinery::uid_of(*ns))
      throw std::runtime_error("namespace uid has changed across retries");
    ns = latest;
  }
}

ObjectPtr ResourcesDeleter::mark_terminating(const ObjectPtr& ns) {
  if (!machinery::has_deletion_timestamp(*ns) ||
      machinery::string_at(*ns, {"status", "phase"}) == "Terminating")
    return ns;
  json::object updated = *ns;
  machinery::child(updated, "status")["phase"] = "Terminating";
  ObjectPtr written = options_.client->update(machinery::kNamespaces, "", updated, {}, "status");
  return written ? written : std::make_shared<const json::object>(std::move(updated));
}

ObjectPtr ResourcesDeleter::finalize(const ObjectPtr& ns) {
  // Everything but this controller's token, once each, in order.
  std::set<std::string> kept;
  for (const auto& f : machinery::strings_at(*ns, {"spec", "finalizers"}))
    if (f != kFinalizerToken) kept.insert(f);
  json::array finalizers;
  for (const auto& f : kept) finalizers.emplace_back(f);
  json::object spec = machinery::object_or_empty(machinery::object_at(*ns, {"spec"}));
  spec["finalizers"] = std::move(finalizers);
  json::object body{{"apiVersion", "v1"},
                    {"kind", "Namespace"},
                    {"metadata", machinery::object_or_empty(machinery::object_at(*ns, {"metadata"}))},
                    {"spec", std::move(spec)}};
  return options_.client->update(machinery::kNamespaces, "", body, {}, "finalize");
}

int64_t ResourcesDeleter::delete_all_content(ObjectPtr& ns) {
  const std::string name = machinery::name_of(*ns);
  const auto deleted_at =
      machinery::parse_time(machinery::meta_string(*ns, "deletionTimestamp")).value_or(options_.now());
  DeletionConditions conditions;
  std::vector<std::string> errors;

  std::vector<TypeInfoPtr> types;
  try {
    types = options_.discover();
  } catch (const std::exception& e) {
    // Not fatal: whatever was found is still deleted.
    errors.push_back(e.what());
    conditions.discovery_failed(e.what());
  }

  int64_t estimate = 0;
  RemainingContent left;
  for (const auto& resource : deletable_resources(types)) {
    ResourceOutcome outcome = empty_resource(resource, name, deleted_at);
    if (!outcome.error.empty()) {
      // Held, and the other resources are still emptied.
      errors.push_back(outcome.error);
      conditions.content_deletion_failed(outcome.error);
    }
    estimate = std::max(estimate, outcome.estimate);
    if (outcome.remaining > 0) {
      left.resources.emplace_back(resource.gvr, outcome.remaining);
      for (const auto& [finalizer, count] : outcome.finalizers)
        if (count > 0) left.finalizers[finalizer] += count;
    }
  }
  conditions.remaining(left);

  // Written on every change, so a condition that cleared says so.
  json::object updated = *ns;
  if (conditions.apply(updated, machinery::format_time(options_.now()))) {
    try {
      if (ObjectPtr written = options_.client->update(machinery::kNamespaces, "", updated, {}, "status"))
        ns = written;
    } catch (const ApiError& e) {
      if (options_.log)
        options_.log->warn("couldn't update status condition for namespace {}: {}", name, e.what());
    }
  }
  if (!errors.empty()) throw std::runtime_error(aggregate(errors));
  return estimate;
}

ResourcesDeleter::ResourceOutcome ResourcesDeleter::empty_resource(const ContentResource& resource,
                                                                   const std::string& ns,
                                                                   machinery::Clock::time_point deleted_at) {
  ResourceOutcome out;
  try {
    out.estimate = estimate_graceful_termination(resource.gvr, ns, deleted_at);
  } catch (const std::exception& e) {
    out.error = e.what();
    return out;
  }
  try {
    if (!delete_collection(resource, ns)) delete_each_item(resource, ns);
    // Make sure nothing is left; what is left is fine while something is expected to take it.
    std::optional<ObjectList> list = list_collection(resource, ns);
    if (!list) return out;
    if (list->items.empty()) {
      out.estimate = 0;
      return out;
    }
    out.remaining = static_cast<int>(list->items.size());
    for (const auto& item : list->items)
      for (const auto& finalizer : machinery::strings_at(*item, {"metadata", "finalizers"}))
        ++out.finalizers[finalizer];
    if (out.estimate != 0) return out;
    if (!out.finalizers.empty()) {
      out.estimate = kFinalizerEstimateSeconds;  // time for their owners (the garbage collector) to act
      return out;
    }
    out.error = "unexpected items still remain in namespace: " + ns + " for gvr: " + describe(resource.gvr);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

int64_t ResourcesDeleter::estimate_graceful_termination(const GroupVersionResource& gvr,
                                                        const std::string& ns,
                                                        machinery::Clock::time_point deleted_at) {
  // Only pods terminate gracefully: the longest grace period of a pod still running.
  if (!gvr.group.empty() || gvr.resource != "pods") return 0;
  int64_t estimate = 0;
  for (const auto& pod : options_.client->list(machinery::kPods, ns).items) {
    std::string phase = machinery::string_at(*pod, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") continue;
    if (auto grace = machinery::int_at(*pod, {"spec", "terminationGracePeriodSeconds"}))
      estimate = std::max(estimate, *grace);
  }
  // Past that long since the namespace was deleted, there is no estimate to wait for.
  if (options_.now() - deleted_at >= std::chrono::seconds(estimate)) return 0;
  return estimate;
}

bool ResourcesDeleter::delete_collection(const ContentResource& resource, const std::string& ns) {
  if (!resource.delete_collection || !options_.delete_collection) return false;
  try {
    // Background: the garbage collector should not orphan dependents of what goes here.
    options_.delete_collection(resource.gvr, ns, background_propagation());
    return true;
  } catch (const ApiError& e) {
    if (not_supported(e)) return false;
    throw;
  }
}

void ResourcesDeleter::delete_each_item(const ContentResource& resource, const std::string& ns) {
  std::optional<ObjectList> list = list_collection(resource, ns);
  if (!list) return;
  for (const auto& item : list->items) {
    try {
      options_.client->remove(resource.gvr, ns, machinery::name_of(*item), background_propagation());
    } catch (const ApiError& e) {
      if (!not_supported(e)) throw;
    }
  }
}

std::optional<ObjectList> ResourcesDeleter::list_collection(const ContentResource& resource,
                                                            const std::string& ns) {
  if (!resource.list) return std::nullopt;
  try {
    return options_.client->list(resource.gvr, ns);
  } catch (const ApiError& e) {
    if (not_supported(e)) return std::nullopt;
    throw;
  }
}

}  // namespace ukube::controllers::namespace_
