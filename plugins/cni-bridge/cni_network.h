#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "settings.h"
#include "ukube/network/driver.h"

// The CNI network list cni-bridge runs (CNI's conflist): `bridge` with `host-local` IPAM
// over the node's pod CIDRs, then `portmap` for hostPorts.
namespace ukube::network::cni {

inline constexpr const char* kCniVersion = "1.0.0";

// Throws std::invalid_argument when a CIDR is not one.
boost::json::object network_list(const CniBridgeSettings& settings,
                                 const std::vector<std::string>& pod_cidrs);

// What plugin `plugin` of `list` reads on stdin: its own config with the list's name and
// version, the result so far (chained plugins, DEL and CHECK), and the runtime's
// capability arguments it asked for.
boost::json::object plugin_config(const boost::json::object& list, const boost::json::object& plugin,
                                  const boost::json::value& prev_result, const PodNetwork& pod);

// The loopback plugin's config: `lo` up in the sandbox.
boost::json::object loopback_config();

// The addresses and interface of an ADD result.
Attachment attachment_from_result(const boost::json::value& result);

// CNI_ARGS for `pod`, as the CRI runtimes pass them.
std::string cni_args(const PodNetwork& pod);

}  // namespace ukube::network::cni
