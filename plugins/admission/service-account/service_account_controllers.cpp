#include "service_account_controllers.h"

#include <spdlog/logger.h>

#include <fstream>
#include <sstream>

namespace ukube::admission {

const char* const kRootCADescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such "
    "as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters.";

namespace {

bool active(const json::object& ns) {
  return string_at(ns, {"status", "phase"}) != "Terminating" && !has_deletion_timestamp(ns);
}

// Creates that fail because the namespace is gone or going are not worth retrying.
bool namespace_closed(const ApiError& e) {
  return is_not_found(e) || is_namespace_terminating(e);
}

}  // namespace

DefaultServiceAccountController::DefaultServiceAccountController(std::shared_ptr<Client> client,
                                                                 std::shared_ptr<Informer> namespaces,
                                                                 std::shared_ptr<Informer> accounts,
                                                                 std::shared_ptr<spdlog::logger> log)
    : client_(std::move(client)),
      namespaces_(std::move(namespaces)),
      accounts_(std::move(accounts)),
      log_(log),
      loop_(
          {"serviceaccount controller", 1, kAdmissionLoopLimits},
          [this](const std::string& ns) { return controller::Result::done_if(sync(ns)); }, log) {}

InformerHandlers DefaultServiceAccountController::namespace_handlers() {
  return {[this](const ObjectPtr& ns) { loop_.add(name_of(*ns)); },
          [this](const ObjectPtr&, const ObjectPtr& ns) { loop_.add(name_of(*ns)); }, nullptr};
}

InformerHandlers DefaultServiceAccountController::account_handlers() {
  return {nullptr, nullptr, [this](const ObjectPtr& sa) {
            if (name_of(*sa) == "default") loop_.add(namespace_of(*sa));
          }};
}

bool DefaultServiceAccountController::sync(const std::string& ns) {
  ObjectPtr namespace_object = namespaces_->get(ns);
  if (!namespace_object || !active(*namespace_object)) return true;
  if (accounts_->get(ns + "/default")) return true;
  ensure(ns);
  return true;
}

void DefaultServiceAccountController::ensure(const std::string& ns) {
  json::object account{{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}};
  try {
    client_->create(kServiceAccounts, ns, account);
    if (log_) log_->info("created service account {}/default", ns);
  } catch (const ApiError& e) {
    if (is_already_exists(e) || namespace_closed(e)) return;
    throw;
  }
}

RootCAPublisher::RootCAPublisher(std::shared_ptr<Client> client, std::shared_ptr<Informer> namespaces,
                                 std::shared_ptr<Informer> configmaps, std::filesystem::path ca_file,
                                 std::shared_ptr<spdlog::logger> log)
    : client_(std::move(client)),
      namespaces_(std::move(namespaces)),
      configmaps_(std::move(configmaps)),
      ca_file_(std::move(ca_file)),
      log_(log),
      loop_(
          {"root CA publisher", 1, kAdmissionLoopLimits},
          [this](const std::string& ns) { return controller::Result::done_if(sync(ns)); }, log) {}

InformerHandlers RootCAPublisher::namespace_handlers() {
  return {[this](const ObjectPtr& ns) { loop_.add(name_of(*ns)); },
          [this](const ObjectPtr&, const ObjectPtr& ns) { loop_.add(name_of(*ns)); }, nullptr};
}

InformerHandlers RootCAPublisher::configmap_handlers() {
  auto mine = [](const ObjectPtr& cm) { return name_of(*cm) == kRootCAConfigMap; };
  return {nullptr,
          [this, mine](const ObjectPtr&, const ObjectPtr& cm) {
            if (mine(cm)) loop_.add(namespace_of(*cm));
          },
          [this, mine](const ObjectPtr& cm) {
            if (mine(cm)) loop_.add(namespace_of(*cm));
          }};
}

std::string RootCAPublisher::ca_pem() {
  std::lock_guard lock(mutex_);
  if (!ca_.empty()) return ca_;
  std::ifstream in(ca_file_, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  ca_ = text.str();
  return ca_;
}

bool RootCAPublisher::sync(const std::string& ns) {
  ObjectPtr namespace_object = namespaces_->get(ns);
  if (!namespace_object || !active(*namespace_object)) return true;
  std::string ca = ca_pem();
  if (ca.empty()) {
    // The API server writes the cluster PKI when it starts: look again shortly.
    loop_.add_after(ns, std::chrono::seconds(1));
    return true;
  }
  json::object data{{"ca.crt", ca}};
  ObjectPtr current = configmaps_->get(ns + "/" + kRootCAConfigMap);
  if (!current) {
    json::object annotations{{"kubernetes.io/description", kRootCADescription}};
    json::object meta{{"name", kRootCAConfigMap}, {"annotations", std::move(annotations)}};
    json::object cm{
        {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", std::move(meta)}, {"data", data}};
    try {
      client_->create(kConfigMaps, ns, cm);
    } catch (const ApiError& e) {
      if (is_already_exists(e) || namespace_closed(e)) return true;
      throw;
    }
    return true;
  }
  const json::object* current_data = object_at(*current, {"data"});
  std::string description = string_at(*current, {"metadata", "annotations", "kubernetes.io/description"});
  if (current_data && *current_data == data && !description.empty()) return true;
  json::object updated = *current;
  updated["data"] = data;
  child(child(updated, "metadata"), "annotations")["kubernetes.io/description"] = kRootCADescription;
  try {
    client_->update(kConfigMaps, ns, updated);
  } catch (const ApiError& e) {
    if (is_not_found(e)) return false;  // deleted meanwhile: create it on the retry
    throw;
  }
  return true;
}

}  // namespace ukube::admission
