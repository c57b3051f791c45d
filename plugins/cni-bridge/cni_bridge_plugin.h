#pragma once

#include <memory>
#include <string>

#include "ukube/network/driver.h"
#include "ukube/node/single_node.h"
#include "ukube/plugin.h"

// ukube.network.v1.cni-bridge: the node's pods on a Linux bridge (cni_driver.h).
namespace ukube::network::cni {

class CniDriver;

class CniBridgePlugin final : public Plugin, public NetworkProvider {
 public:
  CniBridgePlugin();
  ~CniBridgePlugin() override;

  // Throws std::runtime_error saying why when this machine cannot attach pods (not root,
  // the CNI plugins or iptables missing).
  void init(InitContext& ctx) override;
  // The one node this machine is; another name afterwards throws std::invalid_argument.
  std::shared_ptr<NetworkDriver> driver_for_node(const std::string& node_name) override;

 private:
  runtime::node::SingleNodeBinding node_{"cni-bridge"};
  std::shared_ptr<CniDriver> driver_;
};

}  // namespace ukube::network::cni
