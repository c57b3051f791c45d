#include "apiserver/apiserver_plugin.h"

#include <spdlog/spdlog.h>

#include "apiserver/config.pb.h"
#include "apiserver/kubeconfig.h"

namespace ukube::apiserver {

ApiServerPlugin::~ApiServerPlugin() {
  stop();
}

void ApiServerPlugin::init(InitContext& ctx) {
  const auto* config = dynamic_cast<const ApiServerConfig*>(&ctx.config());
  settings_ = resolve_settings(config ? *config : ApiServerConfig::default_instance());
  log_ = ctx.logger();

  server_ = std::make_unique<HttpServer>(settings_, log_);
  const uint16_t port = server_->listen();
  const std::string url = local_server_url(settings_.host, port);

  HandlerDeps deps{ctx.pipeline(), ctx.auth(), ctx.types()};
  deps.bus = &ctx.watch_bus();
  deps.store = &ctx.store();
  deps.logger = log_;
  deps.max_in_flight = settings_.max_in_flight;
  deps.server_address = url.substr(url.find("//") + 2);
  handler_ = std::make_unique<ApiHandler>(std::move(deps));

  if (settings_.write_kubeconfig) {
    const auto file = ctx.data_dir() / "admin.kubeconfig";
    write_kubeconfig(file, url);
    log_->info("serving the Kubernetes API at {}; to use it: export KUBECONFIG={}", url, file.string());
  } else {
    log_->info("serving the Kubernetes API at {}", url);
  }
}

void ApiServerPlugin::start() {
  server_->start(*handler_);
  handler_->set_ready(true);
}

void ApiServerPlugin::stop() {
  if (handler_) handler_->set_ready(false);
  if (server_) server_->stop();
}

}  // namespace ukube::apiserver
