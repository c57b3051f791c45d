#include "root_ca_publisher.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "ukube/admission/plugin_support.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::rootca {
namespace json = boost::json;
using admission::kRootCAConfigMap;
using controller::Result;

const char* const kRootCADescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such "
    "as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters.";

namespace {

// Creates and updates that fail because the namespace is gone or going are not retried.
bool namespace_closed(const ApiError& e) {
  return is_not_found(e) || is_namespace_terminating(e);
}

}  // namespace

RootCAPublisher::RootCAPublisher(const controller::ControllerDeps& deps, std::filesystem::path ca_file,
                                 unsigned workers)
    : client_(deps.client), log_(deps.log), ca_file_(std::move(ca_file)) {
  namespaces_ = deps.informers->informer(machinery::kNamespaces);
  ListOptions only_ours;
  only_ours.field_selector = std::string("metadata.name=") + kRootCAConfigMap;
  configmaps_ = deps.informers->informer(machinery::kConfigMaps, "", only_ours);
  controller::LoopSettings settings;
  settings.name = "root_ca_cert_publisher";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& ns) { return sync(ns); }, log_);
}

RootCAPublisher::~RootCAPublisher() {
  stop();
}

void RootCAPublisher::start() {
  if (!handlers_.empty()) return;
  auto by_namespace = [this](const ObjectPtr& ns) { loop_->add(machinery::name_of(*ns)); };
  handlers_.push_back(namespaces_->add_handlers(
      {by_namespace, [by_namespace](const ObjectPtr&, const ObjectPtr& ns) { by_namespace(ns); }, nullptr}));
  auto by_configmap = [this](const ObjectPtr& cm) { loop_->add(machinery::namespace_of(*cm)); };
  handlers_.push_back(configmaps_->add_handlers(
      {nullptr, [by_configmap](const ObjectPtr&, const ObjectPtr& cm) { by_configmap(cm); }, by_configmap}));
  loop_->start();
}

void RootCAPublisher::stop() {
  handlers_.clear();
  loop_->stop();
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

Result RootCAPublisher::sync(const std::string& ns) {
  if (!namespaces_->has_synced() || !configmaps_->has_synced())
    return Result::requeue_after(std::chrono::milliseconds(100));
  ObjectPtr namespace_object = namespaces_->get(ns);
  if (!namespace_object || !machinery::is_namespace_active(*namespace_object)) return Result::done();
  const std::string ca = ca_pem();
  if (ca.empty()) {
    if (log_) log_->debug("{} does not exist yet; publishing the root CA later", ca_file_.string());
    return Result::requeue_after(std::chrono::seconds(1));
  }
  const json::object data{{"ca.crt", ca}};
  ObjectPtr current = configmaps_->get(ns + "/" + kRootCAConfigMap);
  try {
    if (!current) {
      json::object meta{{"name", kRootCAConfigMap},
                        {"annotations", {{"kubernetes.io/description", kRootCADescription}}}};
      json::object cm{
          {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", std::move(meta)}, {"data", data}};
      client_->create(machinery::kConfigMaps, ns, cm);
      return Result::done();
    }
    const json::object* current_data = machinery::object_at(*current, {"data"});
    const std::string description =
        machinery::string_at(*current, {"metadata", "annotations", "kubernetes.io/description"});
    if (current_data && *current_data == data && !description.empty()) return Result::done();
    json::object updated = *current;
    updated["data"] = data;
    machinery::child(machinery::child(updated, "metadata"), "annotations")["kubernetes.io/description"] =
        kRootCADescription;
    client_->update(machinery::kConfigMaps, ns, updated);
  } catch (const ApiError& e) {
    if (is_already_exists(e) || namespace_closed(e)) return Result::done();
    throw;
  }
  return Result::done();
}

}  // namespace ukube::controllers::rootca
