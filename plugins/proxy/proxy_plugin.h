#pragma once

#include <memory>

#include "ukube/plugin.h"

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
};

}  // namespace ukube::proxy
