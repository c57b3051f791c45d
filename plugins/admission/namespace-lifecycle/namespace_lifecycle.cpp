#include "namespace_lifecycle.h"

#include <spdlog/logger.h>
#include "ukube/informer_factory.h"

namespace ukube::admission {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kForceLiveLookup = std::chrono::seconds(30);
constexpr auto kReadyWait = std::chrono::seconds(10);

bool is_namespace_type(const AdmissionRequest& r) {
  return r.type && r.type->group.empty() && r.type->kind == "Namespace";
}

// Access reviews say nothing about the namespace they name: they pass (upstream too).
bool is_access_review(const AdmissionRequest& r) {
  return r.type && r.type->group == "authorization.k8s.io" &&
         (r.type->kind == "LocalSubjectAccessReview" || r.type->kind == "SubjectAccessReview" ||
          r.type->kind == "SelfSubjectAccessReview" || r.type->kind == "SelfSubjectRulesReview");
}

bool terminating(const json::object& ns) {
  return string_at(ns, {"status", "phase"}) == "Terminating";
}

}  // namespace

NamespaceLifecycle::NamespaceLifecycle(std::shared_ptr<Client> client, std::shared_ptr<Informer> namespaces)
    : client_(std::move(client)), namespaces_(std::move(namespaces)) {}

const std::set<std::string>& NamespaceLifecycle::immortal_namespaces() {
  static const std::set<std::string> names = {"default", "kube-system", "kube-public"};
  return names;
}

bool NamespaceLifecycle::recently_deleted(const std::string& ns) {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  for (auto it = deleted_.begin(); it != deleted_.end();)
    it = it->second < now ? deleted_.erase(it) : std::next(it);
  return deleted_.count(ns) > 0;
}

ObjectPtr NamespaceLifecycle::lookup(const AdmissionRequest& request) {
  if (!namespaces_->wait_for_sync(kReadyWait))
    throw forbidden(request, "not yet ready to handle request", true);
  ObjectPtr ns = namespaces_->get(request.namespace_);
  // A namespace deleted moments ago may still look active in the cache.
  bool live = !ns || (recently_deleted(request.namespace_) && !terminating(*ns));
  if (!live) return ns;
  try {
    return client_->get(kNamespaces, "", request.namespace_);
  } catch (const ApiError& e) {
    if (is_not_found(e)) throw;
    throw ApiError::internal(e.what());
  }
}

void NamespaceLifecycle::admit(AdmissionRequest& request) {
  if (request.operation == AdmissionOperation::Delete) return;  // deletes are judged in validate
  // Cluster-scoped objects, namespaces themselves and access reviews are never refused.
  if (request.namespace_.empty() || is_namespace_type(request) || is_access_review(request)) return;
  ObjectPtr ns = lookup(request);
  if (request.operation != AdmissionOperation::Create || !terminating(*ns)) return;
  ApiError e = forbidden(
      request,
      "unable to create new content in namespace " + request.namespace_ + " because it is being terminated",
      true);
  e.causes.push_back({"NamespaceTerminating", "namespace " + request.namespace_ + " is being terminated",
                      "metadata.namespace"});
  throw e;
}

void NamespaceLifecycle::validate(const AdmissionRequest& request) {
  // The kernel sends deletes through the validating phase only.
  if (request.operation != AdmissionOperation::Delete || !is_namespace_type(request)) return;
  if (immortal_namespaces().count(request.name)) {
    ApiError e = ApiError::forbidden(request.type->group_resource() + " \"" + request.name +
                                     "\" is forbidden: this namespace may not be deleted");
    e.kind = request.type->plural;
    e.name = request.name;
    throw e;
  }
  // Creates in this namespace look it up live for a while: the cache may lag.
  std::lock_guard lock(mutex_);
  deleted_[request.name] = Clock::now() + kForceLiveLookup;
}

NamespaceLifecyclePlugin::~NamespaceLifecyclePlugin() {
  stop();
}

void NamespaceLifecyclePlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  if (!ctx.types().find(kNamespaces))
    throw std::runtime_error(
        "namespaces are not a registered type; enable ukube.types.v1.builtin in the config");
  auto client = ctx.client(apiserver_identity());
  namespaces_ = ctx.informers().informer(kNamespaces);
  join_chain(ctx, std::make_shared<NamespaceLifecycle>(client, namespaces_));
}

void NamespaceLifecyclePlugin::start() {
  if (!namespaces_->wait_for_sync(kReadyWait) && log_)
    log_->warn("namespaces not listed yet; requests wait for them");
}

void NamespaceLifecyclePlugin::stop_workers() {}

}  // namespace ukube::admission
