#include "apiserver_plugin.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "apiserver/config.pb.h"
#include "kubeconfig.h"
#include "local_api_services.h"
#include "ukube/machinery/identities.h"

namespace ukube::apiserver {

ApiServerPlugin::~ApiServerPlugin() {
  stop();
}

void ApiServerPlugin::init(InitContext& ctx) {
  const auto* config = dynamic_cast<const ApiServerConfig*>(&ctx.config());
  settings_ = resolve_settings(config ? *config : ApiServerConfig::default_instance(), ctx.listen());
  log_ = ctx.logger();

  server_ = std::make_unique<HttpServer>(settings_, log_);
  port_ = server_->listen();
  url_ = local_server_url(settings_.host, port_, !settings_.plain_http);
  const std::string& url = url_;

  HandlerDeps deps{ctx.pipeline(), ctx.auth(), ctx.types()};
  deps.bus = &ctx.watch_bus();
  deps.store = &ctx.store();
  deps.logger = log_;
  deps.max_in_flight = settings_.max_in_flight;
  deps.plugins = [&ctx] { return ctx.plugin_statuses(); };
  deps.server_address = url.substr(url.find("//") + 2);
  if (!settings_.audit_log_path.empty()) {
    std::filesystem::path path = settings_.audit_log_path;
    if (path.is_relative()) path = ctx.data_dir() / path;
    audit_ = std::make_unique<AuditLog>(path, parse_audit_level(settings_.audit_level),
                                        settings_.audit_log_max_bytes);
    deps.audit = audit_.get();
    log_->info("writing the audit log to {} at level {}", path.string(), settings_.audit_level);
  }
  handler_ = std::make_unique<ApiHandler>(std::move(deps));
  types_ = &ctx.types();
  pipeline_ = &ctx.pipeline();
  for (auto& type : handler_->usage_metrics().registered_types())
    computed_.push_back(types_->add(std::move(type))->gvr());

  if (settings_.write_kubeconfig) kubeconfig_ = ctx.data_dir() / "admin.kubeconfig";
  if (settings_.plain_http) {
    log_->warn(
        "serving plain HTTP without authentication of clients (insecure_plain_http): use this only "
        "for tests on loopback");
    if (!kubeconfig_.empty()) write_kubeconfig(kubeconfig_, url);
  } else {
    // Certificates are checked now (so a broken PKI stops start-up) and every hour.
    rotation_ = std::make_unique<CertificateRotation>(
        ctx.data_dir() / "pki", settings_.tls_names, std::chrono::hours(1), log_,
        [this](const pki::ClusterPki& pki) { serve_certificates(pki); });
  }
  if (!kubeconfig_.empty())
    log_->info("serving the Kubernetes API at {}; to use it: export KUBECONFIG={}", url,
               kubeconfig_.string());
  else
    log_->info("serving the Kubernetes API at {}", url);
}

void ApiServerPlugin::serve_certificates(const pki::ClusterPki& pki) {
  if (!pki.reissued.empty())
    log_->info("issued {} in {} (valid one year, renewed 90 days before expiry)",
               fmt::join(pki.reissued, ", "), pki.dir.string());
  server_->use_tls({pki.serving_certificate, pki.serving_key, pki.ca_certificate});
  try {
    // Kept in memory only: a fresh one each start costs a signature, and leaves no key on disk.
    const auto ca = pki::CertificateAuthority::load(pki.dir);
    const auto client =
        ca.issue_client({"kube-apiserver-kubelet-client", {machinery::kMastersGroup}}, pki::kLeafValidity);
    handler_->kubelets().set_credentials({ca.certificate_pem(), client.certificate_pem, client.key_pem});
  } catch (const std::exception& e) {
    log_->warn("no client certificate for kubelets, so no logs, exec, attach or port-forward: {}", e.what());
  }
  if (kubeconfig_.empty()) return;
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  write_kubeconfig(kubeconfig_, url_,
                   {read(pki.ca_certificate), read(pki.admin_certificate), read(pki.admin_key)});
}

std::string ApiServerPlugin::serving_address() const {
  const bool v6 = settings_.host.find(':') != std::string::npos;
  return (v6 ? "[" + settings_.host + "]" : settings_.host) + ":" + std::to_string(port_);
}

void ApiServerPlugin::add_serving_names(const std::vector<std::string>& names) {
  if (rotation_) rotation_->add_names(names);
}

void ApiServerPlugin::start() {
  register_local_api_services(*pipeline_, *types_, log_);
  server_->start(*handler_);
  handler_->set_ready(true);
}

void ApiServerPlugin::stop() {
  // In-process readers of metrics.k8s.io get 404 from now on, never a handler being stopped.
  for (const auto& gvr : computed_) types_->remove(gvr);
  computed_.clear();
  rotation_.reset();
  if (handler_) handler_->set_ready(false);
  if (server_) server_->stop();
}

}  // namespace ukube::apiserver
