#pragma once

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "service_ports.h"

// UDP has no connection to end: conntrack keeps sending a client's datagrams where the
// first one went. After a sync, as kube-proxy does, the proxy deletes the UDP entries that
// would keep traffic on an endpoint that is gone, or on the refusal of a Service that had
// no endpoint and now has one.
namespace ukube::proxy {

// The conntrack entries to delete (protocol UDP): those whose original destination is
// `orig_dst` (any when empty) and port `orig_dst_port` (any when 0), and that were
// translated to `reply_src` (any when empty).
struct ConntrackFilter {
  std::string orig_dst;
  int orig_dst_port = 0;
  std::string reply_src;
  bool operator==(const ConntrackFilter&) const = default;
  bool operator<(const ConntrackFilter& o) const {
    return std::tie(orig_dst, orig_dst_port, reply_src) < std::tie(o.orig_dst, o.orig_dst_port, o.reply_src);
  }
};

// What a Service's change from `before` to `after` leaves stale.
std::vector<ConntrackFilter> stale_udp_flows(const std::vector<ServicePort>& before,
                                             const std::vector<ServicePort>& after);

// The conntrack(8) arguments that delete a filter's entries.
std::vector<std::string> conntrack_delete_args(const ConntrackFilter& filter);

using ConntrackDelete = std::function<void(const ConntrackFilter& filter)>;

}  // namespace ukube::proxy
