#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "api_handler.h"
#include "certificate_rotation.h"
#include "http_server.h"
#include "settings.h"
#include "ukube/front_end.h"
#include "ukube/plugin.h"

namespace ukube::apiserver {

// The Kubernetes REST front end: binds in init() (so a taken port fails start-up with a
// clear message and the kubeconfig names the real port), serves from start().
class ApiServerPlugin final : public Plugin, public ApiFrontEnd {
 public:
  ~ApiServerPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;
  std::string serving_address() const override;
  void add_serving_names(const std::vector<std::string>& names) override;

 private:
  // Serves `pki`'s certificates from now on and rewrites the admin kubeconfig with them.
  void serve_certificates(const pki::ClusterPki& pki);

  Settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<AuditLog> audit_;      // outlives handler_, which writes to it
  std::unique_ptr<ApiHandler> handler_;  // outlives server_, whose threads call it
  std::unique_ptr<HttpServer> server_;
  std::string url_;
  uint16_t port_ = 0;  // bound in init()
  std::filesystem::path kubeconfig_;
  std::unique_ptr<CertificateRotation> rotation_;  // stopped before server_ goes
  TypeRegistry* types_ = nullptr;
  RequestPipeline* pipeline_ = nullptr;
  std::vector<GroupVersionResource> computed_;  // metrics.k8s.io, registered while serving
};

}  // namespace ukube::apiserver
