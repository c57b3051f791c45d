#pragma once

#include <functional>
#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>

#include <boost/json/fwd.hpp>

// Which objects each node needs because a pod bound to it names them: its secrets,
// config maps, persistent volume claims (and the volumes bound to them) and service
// account. The Node authorizer lets a kubelet read exactly these.
namespace ukube::rbac {

enum class NodeObject { Secret, ConfigMap, Claim, ServiceAccount, Volume };

class NodeGraph {
 public:
  // Informer events for pods and persistent volume claims.
  void put_pod(const boost::json::object& pod);
  void remove_pod(const boost::json::object& pod);
  void put_claim(const boost::json::object& claim);
  void remove_claim(const boost::json::object& claim);

  // Whether a pod on `node` references the object (volumes: through a claim).
  bool related(const std::string& node, NodeObject kind, const std::string& ns,
               const std::string& name) const;

 private:
  using Ref = std::tuple<NodeObject, std::string, std::string>;  // kind, namespace, name
  void file(const std::string& node, const std::set<Ref>& refs, int delta);

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::pair<std::string, std::set<Ref>>> pods_;  // "ns/name" → node, refs
  std::map<std::string, std::map<Ref, int>> by_node_;                  // node → ref counts
  std::map<std::string, std::string> claim_volumes_;                   // "ns/claim" → volume
};

}  // namespace ukube::rbac
