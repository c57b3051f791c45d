#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/runtime/types.h"

// A pod's resolv.conf as upstream's kubelet makes it (pkg/kubelet/network/dns): by
// spec.dnsPolicy (ClusterFirst, ClusterFirstWithHostNet, Default, None), then spec.dnsConfig
// merged in, within the resolver's limits.
namespace ukube::kubelet {

struct ClusterDns {
  std::vector<std::string> servers;  // the kubelet's clusterDNS; empty: ClusterFirst acts as Default
  std::string domain = "cluster.local";
  runtime::DnsConfig host;  // the node's resolv.conf, for Default
};

// Reads a resolv.conf's nameserver, search and options lines; empty when it cannot be read.
runtime::DnsConfig read_resolv_conf(const std::string& path);

// The DNS config of `pod`. Empty servers with Default mean the runtime's own (the node's).
runtime::DnsConfig pod_dns_config(const boost::json::object& pod, const ClusterDns& cluster);

}  // namespace ukube::kubelet
