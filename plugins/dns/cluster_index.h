#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/json/fwd.hpp>

#include "wire.h"

// What the cluster's DNS names stand for, kept from informer events (Services,
// EndpointSlices, Namespaces and, in `pods verified` mode, Pods) in the shape an answer
// needs, so a query is a few hash lookups and never a walk over lists: services by
// name.namespace, their EndpointSlices' ready addresses, and reverse maps from cluster and
// endpoint IPs. Case: Kubernetes names are lower case, queries are lower-cased before a
// lookup. One writer (the informers' handler thread) and many readers: readers hold a
// Reader for an answer's duration.
namespace ukube::dns {

struct ServicePort {
  std::string name;      // lower-cased; "" for an unnamed port
  std::string protocol;  // lower-cased: tcp, udp, sctp ("" when a slice left it unset)
  int32_t port = -1;     // -1: the object declares no ports (CoreDNS's sentinel)
  friend bool operator==(const ServicePort&, const ServicePort&) = default;
};

struct EndpointAddress {
  IpAddress ip;
  std::string hostname;  // the endpoint's hostname, else its address dashed (1-2-3-4), lower-cased
  friend bool operator==(const EndpointAddress&, const EndpointAddress&) = default;
};

// One EndpointSlice: its ready addresses (ready unset counts as ready) and its ports.
struct EndpointSet {
  std::vector<EndpointAddress> ready;
  std::vector<ServicePort> ports;  // at least one: the -1 sentinel when the slice has none
  friend bool operator==(const EndpointSet&, const EndpointSet&) = default;
};

struct ServiceRecord {
  enum class Kind { cluster_ip, headless, external_name };
  std::string name;  // lower-cased
  std::string ns;
  Kind kind = Kind::cluster_ip;
  std::vector<IpAddress> cluster_ips;  // the parseable ones of spec.clusterIPs
  std::vector<ServicePort> ports;      // at least one: the -1 sentinel when it has none
  std::optional<Name> external_name;   // an ExternalName's target, unless it is an IP address
  friend bool operator==(const ServiceRecord&, const ServiceRecord&) = default;
};

// Hash and equality over std::string that also take string_view, so lookups build their
// keys on the stack.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

class ClusterIndex {
 public:
  ClusterIndex();

  // Informer events. Objects that are not what they claim (no name, wrong types) are
  // filed as far as they make sense, never thrown on.
  void put_service(const boost::json::object& service);
  void remove_service(const boost::json::object& service);
  void put_endpoint_slice(const boost::json::object& slice);
  void remove_endpoint_slice(const boost::json::object& slice);
  void put_namespace(const boost::json::object& ns);
  void remove_namespace(const boost::json::object& ns);
  void put_pod(const boost::json::object& pod);
  void remove_pod(const boost::json::object& pod);

  // Whether every informer feeding the index has listed once; until then a name the index
  // lacks is answered SERVFAIL, not NXDOMAIN (CoreDNS does the same).
  void set_synced_check(std::function<bool()> check);
  bool synced() const;

  // The SOA serial: the Unix time of the last change the answers can see.
  uint32_t serial() const { return static_cast<uint32_t>(modified_.load(std::memory_order_relaxed)); }

  // A read view: holds the shared lock while it lives.
  class Reader {
   public:
    explicit Reader(const ClusterIndex& index) : index_(index), lock_(index.mutex_) {}
    // `key` is name.namespace.
    const ServiceRecord* service(std::string_view key) const;
    // The service's slices by slice name (also for services that do not exist).
    const std::map<std::string, EndpointSet>* endpoints(std::string_view key) const;
    bool namespace_exists(std::string_view ns) const;
    bool pod_exists(const IpAddress& ip, std::string_view ns) const;
    // name.namespace keys of the services with this cluster IP / with a ready endpoint at
    // this address (a key repeats once per address).
    const std::vector<std::string>* services_by_cluster_ip(const IpAddress& ip) const;
    const std::vector<std::string>* services_by_endpoint_ip(const IpAddress& ip) const;

   private:
    const ClusterIndex& index_;
    std::shared_lock<std::shared_mutex> lock_;
  };
  Reader read() const { return Reader(*this); }

  size_t service_count() const;

 private:
  struct SliceRef {
    std::string service_key;
    EndpointSet set;
  };
  void touch();
  void drop_service(const std::string& key);
  void drop_slice(const std::string& slice_key);
  void drop_pod(const std::string& pod_key);

  mutable std::shared_mutex mutex_;
  StringMap<ServiceRecord> services_;                        // by name.namespace
  StringMap<std::map<std::string, EndpointSet>> endpoints_;  // by service key, then slice name
  StringMap<SliceRef> slices_;                               // by namespace/slice name
  std::unordered_map<IpAddress, std::vector<std::string>, IpAddressHash> by_cluster_ip_;
  std::unordered_map<IpAddress, std::vector<std::string>, IpAddressHash> by_endpoint_ip_;
  StringSet namespaces_;
  StringMap<std::vector<IpAddress>> pods_;  // by namespace/name: the pod's IPs
  std::unordered_map<IpAddress, std::vector<std::string>, IpAddressHash> pod_namespaces_;
  std::atomic<int64_t> modified_;
  std::function<bool()> synced_check_;
  mutable std::atomic<bool> synced_{false};
};

}  // namespace ukube::dns
