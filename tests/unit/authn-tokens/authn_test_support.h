#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <google/protobuf/message.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "registry.h"
#include "tests/support/plugin_context.h"
#include "tests/support/test_kernel.h"
#include "tests/unit/builtin-types/builtin_test_support.h"
#include "ukube/auth.h"
#include "ukube/client.h"
#include "ukube/pki.h"
#include "ukube/plugin.h"

// A real kernel with the built-in types and a cluster PKI in a temp dir, in which the
// token authenticator plugins can be initialised as the daemon does.
namespace ukube::authn::testing {

namespace json = boost::json;
using ukube::testing::expect_error;

inline const GroupVersionResource kServiceAccounts{"", "v1", "serviceaccounts"};
inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kSecrets{"", "v1", "secrets"};

class AuthnKernel {
 public:
  AuthnKernel() {
    builtin::testing::remove_stand_ins(kernel_.types());
    builtin::register_builtin_types(kernel_.types());
    admin_ = kernel_.client();
    for (const char* ns : {"default", "kube-system"})
      admin_->create({"", "v1", "namespaces"}, "",
                     json::object{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  }
  ~AuthnKernel() {
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->stop();
    plugins_.clear();
  }

  // Initialises `plugin` with `config` (may be null) as the host would, stopping it with
  // the kernel.
  template <class P>
  P& start(std::unique_ptr<P> plugin, const google::protobuf::Message* config, const std::string& uri) {
    contexts_.push_back(std::make_unique<ukube::testing::PluginContext>(kernel_, uri, dir_.path(), config));
    plugin->init(*contexts_.back());
    plugin->start();
    P& p = *plugin;
    plugins_.push_back(std::move(plugin));
    return p;
  }
  void stop_all() {
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->stop();
    plugins_.clear();
  }

  Client& admin() { return *admin_; }
  ukube::testing::TestKernel& kernel() { return kernel_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // The chain's verdict on `token`: the user, or the ApiError (401) it throws.
  UserInfo authenticate(const std::string& token) {
    Credentials c;
    c.bearer_token = token;
    return kernel_.auth().authenticate(c);
  }

  ObjectPtr create_service_account(const std::string& name, const std::string& ns = "default") {
    return admin_->create(
        kServiceAccounts, ns,
        json::object{{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", name}}}});
  }
  ObjectPtr create_pod(const std::string& name, const std::string& account,
                       const std::string& ns = "default") {
    return admin_->create(
        kPods, ns,
        json::object{{"apiVersion", "v1"},
                     {"kind", "Pod"},
                     {"metadata", {{"name", name}}},
                     {"spec",
                      {{"serviceAccountName", account},
                       {"containers", json::array{json::object{{"name", "c"}, {"image", "busybox"}}}}}}});
  }
  // POST serviceaccounts/NAME/token with `spec`; returns the TokenRequest answered.
  ObjectPtr request_token(const std::string& account, json::object spec = {},
                          const std::string& ns = "default") {
    json::object body{
        {"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", std::move(spec)}};
    return admin_->create(kServiceAccounts, ns, body, {}, "token", account);
  }
  static std::string token_of(const ObjectPtr& token_request) {
    return std::string(token_request->at("status").at("token").as_string());
  }

 private:
  ukube::testing::TestKernel kernel_;
  ukube::testing::TempDir dir_{"authn"};
  std::shared_ptr<Client> admin_;
  std::vector<std::unique_ptr<ukube::testing::PluginContext>> contexts_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
};

inline std::string uid_of(const ObjectPtr& o) {
  return std::string(o->at("metadata").at("uid").as_string());
}

}  // namespace ukube::authn::testing
