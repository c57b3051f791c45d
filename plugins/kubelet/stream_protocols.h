#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

// Subprotocol negotiation of the kubelet's streaming endpoints: a client lists what it
// speaks, preferred first, comma-separated (Sec-WebSocket-Protocol, or the
// X-Stream-Protocol-Version headers of an SPDY upgrade joined with commas).
namespace ukube::kubelet {

// The non-empty names in `offered`, trimmed, in order.
std::vector<std::string_view> protocols_in(std::string_view offered);

// The client's first choice among those in `spoken`; empty when none is.
std::string choose_protocol(std::string_view offered, std::initializer_list<std::string_view> spoken);

}  // namespace ukube::kubelet
