#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ukube/admission/plugin_support.h"
#include "ukube/informer.h"

// ukube.admission.v1.service-account: upstream's ServiceAccount admission plugin, and the
// two small controllers upstream's controller manager runs for it, since nothing else
// here creates what it needs:
//  - admission: a pod without spec.serviceAccountName gets "default"; a pod whose service
//    account does not exist is refused; unless automountServiceAccountToken is false (pod
//    first, then service account) every container and init container mounts the projected
//    volume kube-api-access-<5 random> (token, kube-root-ca.crt's ca.crt, the namespace) at
//    /var/run/secrets/kubernetes.io/serviceaccount; the account's imagePullSecrets are
//    copied to a pod that has none; mirror pods may reference neither accounts nor secrets.
//  - the service account controller keeps a "default" ServiceAccount in every active
//    namespace (re-created when deleted);
//  - the root CA publisher keeps ConfigMap kube-root-ca.crt (ca.crt = the cluster CA,
//    <data_dir>/pki/ca.crt) in every active namespace.
namespace ukube::admission {

class ServiceAccountAdmission final : public AdmissionPlugin {
 public:
  // `ensure_default(ns)` makes the namespace's "default" account exist if it can (the
  // controller's own step, run on this thread); it may be empty.
  ServiceAccountAdmission(std::shared_ptr<Client> client, std::shared_ptr<Informer> accounts,
                          std::function<void(const std::string& ns)> ensure_default);

  void admit(AdmissionRequest& request) override;
  void validate(const AdmissionRequest& request) override;

  // Upstream's projected volume for the token, CA and namespace.
  static json::object token_volume(const std::string& name);

 private:
  // The account, or ApiError 403 with upstream's message when there is none.
  ObjectPtr account(const AdmissionRequest& request, const std::string& name, bool mutating);
  void check(const AdmissionRequest& request, const json::object& pod, bool mutating);

  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> accounts_;
  std::function<void(const std::string&)> ensure_default_;
};

class DefaultServiceAccountController;
class RootCAPublisher;

class ServiceAccountPlugin final : public AdmissionPluginShell {
 public:
  ServiceAccountPlugin();
  ~ServiceAccountPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;

  DefaultServiceAccountController& accounts_controller() { return *accounts_controller_; }
  RootCAPublisher& publisher() { return *publisher_; }

 private:
  void stop_workers() override;
  std::shared_ptr<Informer> namespaces_, accounts_, root_ca_maps_;  // shared with other plugins
  std::shared_ptr<DefaultServiceAccountController> accounts_controller_;
  std::shared_ptr<RootCAPublisher> publisher_;
  std::vector<InformerRegistration> registrations_;
};

}  // namespace ukube::admission
