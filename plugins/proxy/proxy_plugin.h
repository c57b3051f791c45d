#pragma once

#include <memory>
#include <string>

#include "ukube/plugin.h"

namespace spdlog {
class logger;
}
namespace ukube::net {
class MetricsServer;
}

// ukube.proxy.v1.proxy: Service addresses on this node in nftables (proxier.h).
namespace ukube::proxy {

class Proxier;

class ProxyPlugin final : public Plugin {
 public:
  ProxyPlugin();
  ~ProxyPlugin() override;
  // Throws std::runtime_error saying why when this machine cannot run it (not root, no nft).
  void init(InitContext& ctx) override;
  void start() override;
  // The table stays: Service traffic flows on while the daemon restarts or reloads.
  void stop() override;

 private:
  std::unique_ptr<Proxier> proxier_;
  std::unique_ptr<net::MetricsServer> metrics_;  // reads proxier_: stopped first
  std::shared_ptr<spdlog::logger> log_;
  std::string metrics_address_;
};

}  // namespace ukube::proxy
