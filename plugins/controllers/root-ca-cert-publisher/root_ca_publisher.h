#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

// Upstream's root CA certificate publisher (pkg/controller/certificates/rootcacertpublisher):
// ConfigMap kube-root-ca.crt, with ca.crt the cluster CA, in every active namespace, put
// back when it is changed or deleted. Pods read it through their service account volume.
namespace ukube::controllers::rootca {

// The description upstream's publisher annotates the ConfigMap with.
extern const char* const kRootCADescription;

class RootCAPublisher final : public controller::RunningController {
 public:
  // `ca_file`: the cluster CA in PEM, read when first needed (the API server writes it
  // at its first start).
  RootCAPublisher(const controller::ControllerDeps& deps, std::filesystem::path ca_file, unsigned workers);
  ~RootCAPublisher() override;
  void start() override;
  void stop() override;

  controller::Result sync(const std::string& ns);
  bool idle() const { return loop_->idle(); }

 private:
  // The CA PEM; empty while the file does not exist yet.
  std::string ca_pem();

  std::shared_ptr<Client> client_;
  std::shared_ptr<spdlog::logger> log_;
  std::filesystem::path ca_file_;
  std::shared_ptr<Informer> namespaces_, configmaps_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::vector<InformerRegistration> handlers_;
  std::mutex mutex_;
  std::string ca_;
};

}  // namespace ukube::controllers::rootca
