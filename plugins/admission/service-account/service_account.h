#pragma once

#include <memory>
#include <string>

#include "ukube/admission/plugin_support.h"
#include "ukube/informer.h"

// ukube.admission.v1.service-account: upstream's ServiceAccount admission plugin. A pod
// without spec.serviceAccountName gets "default"; a pod whose service account does not
// exist is refused (the "default" account is waited for a moment: the service account
// controller, ukube.controller.v1.serviceaccount, makes it right after its namespace);
// unless automountServiceAccountToken is false (pod first, then service account) every
// container and init container mounts the projected volume kube-api-access-<5 random>
// (token, the ca.crt of ConfigMap kube-root-ca.crt that ukube.controller.v1.root-ca-cert-
// publisher keeps, the namespace) at /var/run/secrets/kubernetes.io/serviceaccount; the account's
// imagePullSecrets are copied to a pod that has none; mirror pods may reference neither
// accounts nor secrets.
namespace ukube::admission {

class ServiceAccountAdmission final : public AdmissionPlugin {
 public:
  ServiceAccountAdmission(std::shared_ptr<Client> client, std::shared_ptr<Informer> accounts);

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
};

class ServiceAccountPlugin final : public AdmissionPluginShell {
 public:
  void init(InitContext& ctx) override;
  void start() override;

 private:
  std::shared_ptr<Informer> accounts_;  // shared with other plugins
};

}  // namespace ukube::admission
