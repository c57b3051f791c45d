#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ukube/export.h"
#include "ukube/runtime/types.h"

// The network driver interface (DESIGN.md §6): how the kubelet connects a pod sandbox's
// network namespace to the node's pod network, in CNI's shape (ADD / DEL / CHECK on a
// netns, plus the GC of CNI 1.1). A network plugin (ukube.network.v1.<id>) derives from
// NetworkProvider.
//
// What a driver attaches outlives the daemon and the driver: links, addresses and
// leases stay while the sandbox's namespace lives, so a restarted daemon or a swapped
// driver finds every pod still connected and reads back what add() answered.
namespace ukube::network {

class UKUBE_API NetworkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~NetworkError() override;
};

// One sandbox's attachment request: CNI's runtime arguments.
struct PodNetwork {
  std::string sandbox_id;  // CNI_CONTAINERID
  // CNI_NETNS: a path that opens the sandbox's network namespace. remove() may get it
  // empty, once the namespace is gone; what was attached is released all the same.
  std::string netns;
  std::string interface = "eth0";  // CNI_IFNAME
  std::string pod_name, pod_namespace, pod_uid;
  std::vector<runtime::PortMapping> port_mappings;  // containers' hostPorts
};

struct Attachment {
  std::vector<std::string> ips;  // the pod's addresses, primary first, without prefix length
  std::string interface;
  std::string gateway;
};

// The node's share of the cluster network: its Node's spec.podCIDRs, assigned by the node
// IPAM controller.
struct NodeNetwork {
  std::vector<std::string> pod_cidrs;
};

struct NetworkStatus {
  bool ready = false;
  std::string reason;  // when not ready, e.g. NetworkPluginNotReady
  std::string message;
};

// Calls are thread-safe and may block while CNI programs run. remove() is idempotent.
class UKUBE_API NetworkDriver {
 public:
  virtual ~NetworkDriver();

  // The CIDRs pod addresses come from. Until they are known the driver is not ready.
  virtual void configure(const NodeNetwork& node) = 0;
  virtual NetworkStatus status() = 0;

  virtual Attachment add(const PodNetwork& pod) = 0;
  virtual void remove(const PodNetwork& pod) = 0;
  // Throws NetworkError, saying what is wrong, when the attachment is broken or missing.
  virtual void check(const PodNetwork& pod) = 0;
  // What add() answered for `sandbox_id`, read back after a restart; nullopt: not attached.
  virtual std::optional<Attachment> attachment(const std::string& sandbox_id) = 0;
  // Every sandbox the driver holds something for (an attachment, an address lease). The
  // kubelet removes those of sandboxes that are gone, leaked by a crash between a sandbox's
  // end and its remove(); it lists them before it lists the runtime's sandboxes, so a
  // sandbox being attached meanwhile is never taken for a gone one.
  virtual std::vector<std::string> attached_sandboxes() = 0;
};

// What a network plugin offers: the driver of one node, created on first use. Throws
// std::invalid_argument, saying why, when the plugin cannot serve `node_name`.
class UKUBE_API NetworkProvider {
 public:
  virtual ~NetworkProvider();
  virtual std::shared_ptr<NetworkDriver> driver_for_node(const std::string& node_name) = 0;
};

}  // namespace ukube::network
