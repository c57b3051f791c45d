#include "crd_controller.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "crd_type.h"
#include "custom_resource_type.h"
#include "ukube/errors.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/time.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using controller::Result;
using machinery::string_at;

json::object condition(const char* type, const char* status, const char* reason, const std::string& message) {
  return {{"type", type}, {"status", status}, {"reason", reason}, {"message", message}};
}

bool has_finalizer(const json::object& o, std::string_view finalizer) {
  for (const auto& f : machinery::strings_at(o, {"metadata", "finalizers"}))
    if (f == finalizer) return true;
  return false;
}

// The names another definition of `group` holds: resources (plural, singular, short
// names) and kinds (kind, list kind).
void collect_names(const json::object& other, std::set<std::string>& resources,
                   std::set<std::string>& kinds) {
  const json::object& names =
      machinery::object_or_empty(machinery::object_at(other, {"status", "acceptedNames"}));
  for (const char* field : {"plural", "singular"})
    if (auto v = string_at(names, {field}); !v.empty()) resources.insert(v);
  for (const auto& s : machinery::strings_at(names, {"shortNames"})) resources.insert(s);
  for (const char* field : {"kind", "listKind"})
    if (auto v = string_at(names, {field}); !v.empty()) kinds.insert(v);
}

std::string in_use(const std::string& name) {
  return machinery::quote(name) + " is already in use";
}

}  // namespace

CrdController::CrdController(TypeRegistry& registry, std::shared_ptr<Client> client,
                             std::shared_ptr<Informer> crds, std::shared_ptr<https::Transport> webhooks,
                             std::shared_ptr<const json::object> object_meta_schema,
                             std::shared_ptr<spdlog::logger> log)
    : registry_(registry),
      client_(std::move(client)),
      crds_(std::move(crds)),
      webhooks_(std::move(webhooks)),
      log_(std::move(log)),
      object_meta_schema_(std::move(object_meta_schema)),
      loop_(
          {"customresourcedefinitions", 1, {}}, [this](const std::string& name) { return sync(name); },
          log_) {}

CrdController::~CrdController() {
  stop();
}

void CrdController::start() {
  for (const auto& crd : client_->list(kCustomResourceDefinitions, "").items) {
    std::string why;
    const bool terminating = machinery::object_at(*crd, {"metadata"}) &&
                             !machinery::meta_string(*crd, "deletionTimestamp").empty();
    if (!serve(*crd, terminating, why) && log_)
      log_->warn("custom resource definition {} is not served: {}", machinery::name_of(*crd), why);
  }
  auto by_name = [this](const ObjectPtr& crd) { loop_.add(machinery::name_of(*crd)); };
  handlers_ = crds_->add_handlers(
      {by_name, [by_name](const ObjectPtr&, const ObjectPtr& crd) { by_name(crd); }, by_name});
  loop_.start();
}

void CrdController::stop() {
  handlers_.reset();
  loop_.stop();
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, served] : served_) names.push_back(name);
  }
  for (const auto& name : names) unserve(name);
}

bool CrdController::serve(const json::object& crd, bool terminating, std::string& why) {
  const std::string name = machinery::name_of(crd);
  const std::string rv = machinery::meta_string(crd, "resourceVersion") + (terminating ? "-terminating" : "");
  std::lock_guard lock(mutex_);
  auto& served = served_[name];
  if (!served.types.empty() && served.resource_version == rv) return true;
  std::vector<TypeInfo> types;
  try {
    types = custom_resource_types(crd, {object_meta_schema_, terminating, webhooks_});
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
  // Versions no longer served go; the others are replaced in place, so requests never
  // meet a gap between the old type and the new one.
  const std::vector<GroupVersionResource> before = std::move(served.types);
  auto ours = [&](const GroupVersionResource& gvr) {
    return std::find(before.begin(), before.end(), gvr) != before.end();
  };
  for (const auto& gvr : before) {
    bool kept = std::any_of(types.begin(), types.end(), [&](const TypeInfo& t) { return t.gvr() == gvr; });
    if (!kept) registry_.remove(gvr);
  }
  served.types.clear();
  for (auto& t : types) {
    GroupVersionResource gvr = t.gvr();
    if (ours(gvr)) {
      registry_.extend(gvr, [&](TypeInfo& current) { current = t; });
    } else if (registry_.find(gvr)) {
      // Another plugin serves it (a built-in type): a definition never replaces it.
      why = "the resource " + gvr.to_string() + " is already served by this API server";
      continue;
    } else {
      try {
        registry_.add(std::move(t));
      } catch (const std::invalid_argument& e) {
        why = e.what();
        continue;
      }
    }
    served.types.push_back(gvr);
  }
  served.resource_version = rv;
  return why.empty();
}

void CrdController::unserve(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = served_.find(name);
  if (it == served_.end()) return;
  for (const auto& gvr : it->second.types) registry_.remove(gvr);
  served_.erase(it);
}

json::object CrdController::accepted_names(const json::object& crd, json::object& names_condition) const {
  const std::string name = machinery::name_of(crd);
  const std::string group = string_at(crd, {"spec", "group"});
  std::set<std::string> resources, kinds;
  for (const auto& other : crds_->list())
    if (machinery::name_of(*other) != name && string_at(*other, {"spec", "group"}) == group)
      collect_names(*other, resources, kinds);
  const json::object& requested = machinery::object_or_empty(machinery::object_at(crd, {"spec", "names"}));
  const json::object& accepted =
      machinery::object_or_empty(machinery::object_at(crd, {"status", "acceptedNames"}));
  json::object out = accepted;
  const char* reason = nullptr;
  std::string message;
  auto claim = [&](const char* field, const std::set<std::string>& used, const char* conflict) {
    const std::string want = string_at(requested, {field});
    if (want == string_at(accepted, {field}) || !used.count(want)) {
      if (!want.empty()) out[field] = want;
      return;
    }
    reason = conflict;
    message = in_use(want);
  };
  claim("plural", resources, "PluralConflict");
  claim("singular", resources, "SingularConflict");
  auto want_short = machinery::strings_at(requested, {"shortNames"});
  auto have_short = machinery::strings_at(accepted, {"shortNames"});
  if (want_short != have_short) {
    std::string errors;
    for (const auto& s : want_short)
      if (std::find(have_short.begin(), have_short.end(), s) == have_short.end() && resources.count(s))
        errors += (errors.empty() ? "" : ", ") + in_use(s);
    if (!errors.empty()) {
      reason = "ShortNamesConflict";
      message = want_short.size() > 1 && errors.find(", ") != std::string::npos ? "[" + errors + "]" : errors;
    } else if (const auto* list = requested.if_contains("shortNames")) {
      out["shortNames"] = *list;
    } else {
      out.erase("shortNames");
    }
  }
  claim("kind", kinds, "KindConflict");
  claim("listKind", kinds, "ListKindConflict");
  if (const auto* categories = requested.if_contains("categories"))
    out["categories"] = *categories;
  else
    out.erase("categories");
  names_condition = reason ? condition("NamesAccepted", "False", reason, message)
                           : condition("NamesAccepted", "True", "NoConflicts", "no conflicts found");
  return out;
}

bool CrdController::write_status(const json::object& crd, json::object status) {
  const json::object* current = machinery::object_at(crd, {"status"});
  if (current && *current == status) return true;
  json::object updated = crd;
  updated["status"] = std::move(status);
  // This controller alone writes the status: the write need not wait for a fresh read.
  machinery::child(updated, "metadata").erase("resourceVersion");
  try {
    client_->update(kCustomResourceDefinitions, "", updated, {}, "status");
    return true;
  } catch (const ApiError& e) {
    if (log_ && !is_conflict(e) && !is_not_found(e))
      log_->warn("status of custom resource definition {}: {}", machinery::name_of(crd), e.what());
    return false;
  }
}

Result CrdController::sync(const std::string& name) {
  ObjectPtr crd = crds_->get(name);
  if (!crd) {
    unserve(name);
    return Result::done();
  }
  if (!machinery::meta_string(*crd, "deletionTimestamp").empty()) return clean_up(*crd);
  if (!has_finalizer(*crd, kCleanupFinalizer)) {
    // Before any instance can exist, so that deleting the definition always removes them.
    json::array finalizers;
    if (const auto* list = machinery::array_at(*crd, {"metadata", "finalizers"})) finalizers = *list;
    finalizers.emplace_back(kCleanupFinalizer);
    json::object patch{
        {"metadata", json::object{{"finalizers", std::move(finalizers)},
                                  {"resourceVersion", machinery::meta_string(*crd, "resourceVersion")}}}};
    try {
      client_->patch(kCustomResourceDefinitions, "", name, PatchType::JsonMerge, json::serialize(patch));
    } catch (const ApiError& e) {
      if (is_not_found(e)) return Result::done();
      if (!is_conflict(e)) throw;
    }
    return Result::done();  // the patch comes back as an update
  }
  const std::string now = machinery::now_rfc3339();
  json::object status = machinery::object_or_empty(machinery::object_at(*crd, {"status"}));
  json::object names_condition;
  json::object names = accepted_names(*crd, names_condition);
  status["acceptedNames"] = names;
  json::array conditions;
  if (const auto* list = machinery::array_at(status, {"conditions"})) conditions = *list;
  machinery::set_condition(conditions, names_condition, now);
  const bool accepted = string_at(names_condition, {"status"}) == "True";
  json::object served_crd = *crd;
  served_crd["status"] = status;
  std::string why;
  bool established = machinery::is_condition_true(*crd, "Established");
  if (!string_at(names, {"plural"}).empty() && !string_at(names, {"kind"}).empty()) {
    if (serve(served_crd, false, why)) {
      established = accepted || established;
    } else {
      machinery::set_condition(conditions, condition("NamesAccepted", "False", "NameConflict", why), now);
      established = false;
    }
  }
  machinery::set_condition(
      conditions,
      established
          ? condition("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")
          : condition("Established", "False", "NotAccepted", "not all names are accepted"),
      now);
  status["conditions"] = std::move(conditions);
  if (!status.contains("storedVersions")) status["storedVersions"] = json::array{};
  return Result::done_if(write_status(*crd, std::move(status)));
}

Result CrdController::clean_up(const json::object& crd) {
  const std::string name = machinery::name_of(crd);
  if (!has_finalizer(crd, kCleanupFinalizer)) return Result::done();
  std::string why;
  serve(crd, true, why);
  const std::string now = machinery::now_rfc3339();
  json::object status = machinery::object_or_empty(machinery::object_at(crd, {"status"}));
  auto set_terminating = [&](const char* state, const char* reason, const std::string& message) {
    json::array conditions;
    if (const auto* list = machinery::array_at(status, {"conditions"})) conditions = *list;
    machinery::set_condition(conditions, condition("Terminating", state, reason, message), now);
    status["conditions"] = std::move(conditions);
  };
  std::vector<GroupVersionResource> types;
  {
    std::lock_guard lock(mutex_);
    if (auto it = served_.find(name); it != served_.end()) types = it->second.types;
  }
  if (machinery::is_condition_true(crd, "Established") && !types.empty()) {
    set_terminating("True", "InstanceDeletionInProgress", "CustomResource deletion is in progress");
    if (!write_status(crd, status)) return Result::retry();
    // One served version reaches every instance: they share one store prefix.
    const GroupVersionResource& gvr = types.front();
    ObjectList instances;
    try {
      instances = client_->list(gvr, "");
      for (const auto& item : instances.items) {
        if (!machinery::meta_string(*item, "deletionTimestamp").empty()) continue;
        try {
          client_->remove(gvr, machinery::meta_string(*item, "namespace"), machinery::name_of(*item));
        } catch (const ApiError& e) {
          if (!is_not_found(e)) throw;
        }
      }
      instances = client_->list(gvr, "");
    } catch (const ApiError& e) {
      set_terminating("True", "InstanceDeletionFailed",
                      std::string("could not issue all deletes: ") + e.what());
      write_status(crd, status);
      return Result::retry();
    }
    if (!instances.items.empty()) {
      if (log_) log_->info("{} waiting for {} items to be removed", name, instances.items.size());
      return Result::requeue_after(std::chrono::seconds(1));
    }
    set_terminating("False", "InstanceDeletionCompleted", "removed all instances");
  } else {
    set_terminating("False", "NeverEstablished", "resource was never established");
  }
  if (!write_status(crd, status)) return Result::retry();
  // The definition goes with its last finalizer; its types go when the cache sees it go.
  json::array finalizers;
  for (const auto& f : machinery::strings_at(crd, {"metadata", "finalizers"}))
    if (f != kCleanupFinalizer) finalizers.emplace_back(f);
  json::object patch{{"metadata", json::object{{"finalizers", std::move(finalizers)}}}};
  try {
    client_->patch(kCustomResourceDefinitions, "", name, PatchType::JsonMerge, json::serialize(patch));
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  return Result::done();
}

}  // namespace ukube::apiextensions
