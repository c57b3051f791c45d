#pragma once

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "registry.h"
#include "tests/support/plugin_context.h"
#include "tests/support/test_kernel.h"
#include "tests/unit/builtin-types/builtin_test_support.h"
#include "ukube/auth.h"
#include "ukube/client.h"
#include "ukube/errors.h"
#include "ukube/plugin.h"

// A real kernel with the built-in types and a few namespaces, in which the admission
// plugins are initialised and started as the host does, in the order a test asks for
// (which is their order in the chain), plus builders for the objects they judge.
namespace ukube::admission::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

inline const GroupVersionResource kPodsR{"", "v1", "pods"};
inline const GroupVersionResource kNamespacesR{"", "v1", "namespaces"};
inline const GroupVersionResource kServiceAccountsR{"", "v1", "serviceaccounts"};
inline const GroupVersionResource kConfigMapsR{"", "v1", "configmaps"};
inline const GroupVersionResource kLimitRangesR{"", "v1", "limitranges"};
inline const GroupVersionResource kQuotasR{"", "v1", "resourcequotas"};
inline const GroupVersionResource kServicesR{"", "v1", "services"};
inline const GroupVersionResource kClaimsR{"", "v1", "persistentvolumeclaims"};
inline const GroupVersionResource kDeploymentsR{"apps", "v1", "deployments"};

inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

inline json::object parse(std::string_view text) {
  return json::parse(text).as_object();
}

// A value at a dotted path ("spec.containers"), or null.
inline json::value at(const json::object& o, std::string_view dotted) {
  return builtin::testing::at(o, dotted);
}
inline std::string str(const json::object& o, std::string_view dotted) {
  json::value v = at(o, dotted);
  return v.is_string() ? std::string(v.get_string()) : (v.is_null() ? "" : json::serialize(v));
}

// A pod with one container per entry: {name, resources JSON ("" for none)}.
inline json::object pod(const std::string& name,
                        std::vector<std::pair<std::string, std::string>> containers = {{"c", ""}},
                        std::string spec_extra = "") {
  json::array list;
  for (const auto& [cname, resources] : containers) {
    json::object c{{"name", cname}, {"image", "registry.k8s.io/pause:3.9"}};
    if (!resources.empty()) c["resources"] = json::parse(resources);
    list.push_back(std::move(c));
  }
  json::object spec{{"containers", std::move(list)}};
  if (!spec_extra.empty()) {
    json::value extra = json::parse(spec_extra);
    for (const auto& kv : extra.as_object()) spec[kv.key()] = kv.value();
  }
  return json::object{
      {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", std::move(spec)}};
}

inline json::object named(const char* api_version, const char* kind, const std::string& name,
                          json::object body = {}) {
  json::object o{{"apiVersion", api_version}, {"kind", kind}, {"metadata", {{"name", name}}}};
  for (auto& kv : body) o[kv.key()] = kv.value();
  return o;
}

inline json::object quota(const std::string& name, json::object hard, json::object spec_extra = {}) {
  json::object spec{{"hard", std::move(hard)}};
  for (auto& kv : spec_extra) spec[kv.key()] = kv.value();
  return named("v1", "ResourceQuota", name, {{"spec", std::move(spec)}});
}

inline json::object limit_range(const std::string& name, json::array limits) {
  return named("v1", "LimitRange", name, {{"spec", {{"limits", std::move(limits)}}}});
}

inline const char* kTestCA = "-----BEGIN CERTIFICATE-----\nTEST CA\n-----END CERTIFICATE-----\n";

class AdmissionKernel {
 public:
  explicit AdmissionKernel(std::vector<std::string> namespaces = {"default", "kube-system", "team-a"})
      : data_("admission") {
    builtin::testing::remove_stand_ins(kernel_.types());
    builtin::register_builtin_types(kernel_.types());
    std::filesystem::create_directories(data_.path() / "pki");
    std::ofstream(data_.path() / "pki" / "ca.crt") << kTestCA;
    admin_ = kernel_.client();
    for (const auto& ns : namespaces) create_namespace(ns);
  }
  ~AdmissionKernel() {
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->stop();
    plugins_.clear();
    contexts_.clear();
  }

  // Inits and starts a plugin as the host would; the chain order is the call order.
  // Controllers the admission plugins rely on start here too, with their `config`.
  template <class P>
  P& start(const std::string& id, const google::protobuf::Message* config = nullptr) {
    contexts_.push_back(std::make_unique<ukube::testing::PluginContext>(kernel_, "ukube.admission.v1." + id,
                                                                        data_.path(), config));
    auto plugin = std::make_unique<P>();
    P& ref = *plugin;
    plugin->init(*contexts_.back());
    plugin->start();
    plugins_.push_back(std::move(plugin));
    return ref;
  }

  void create_namespace(const std::string& name) {
    admin_->create(kNamespacesR, "",
                   json::object{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  }

  Client& admin() { return *admin_; }
  std::shared_ptr<Client> client(const UserInfo& user) { return kernel_.client(user); }
  ukube::testing::TestKernel& kernel() { return kernel_; }
  const std::filesystem::path& data_dir() const { return data_.path(); }
  TypeInfoPtr type(const GroupVersionResource& gvr) { return kernel_.types().find(gvr); }

 private:
  ukube::testing::TestKernel kernel_;
  ukube::testing::TempDir data_;
  std::shared_ptr<Client> admin_;
  std::vector<std::unique_ptr<ukube::testing::PluginContext>> contexts_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
};

// The ApiError `f` throws; a test failure when it throws none.
template <class F>
ApiError error_of(F&& f) {
  return ukube::testing::expect_error(std::forward<F>(f));
}

}  // namespace ukube::admission::testing
