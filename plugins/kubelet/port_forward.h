#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "spdy.h"

// `kubectl port-forward` as upstream's kubelet serves it (pkg/kubelet/cri/streaming/portforward):
// the protocol's rules, without the network. Over one upgraded connection the client opens,
// per forwarded connection, an error stream and a data stream, both naming the pod's port and
// the same requestID; the server connects to the port once both are there and copies bytes
// between the data stream and the pod; a failure is written on the error stream, which the
// server ends when the forwarding does. kubectl 1.31+ carries the same SPDY connection inside
// WebSocket binary messages (subprotocol SPDY/3.1+portforward.k8s.io), older ones upgrade
// the HTTP connection to SPDY/3.1 itself.
namespace ukube::kubelet::portforward {

// The subprotocol of both ways in (X-Stream-Protocol-Version for SPDY).
inline constexpr std::string_view kProtocol = "portforward.k8s.io";
// The WebSocket subprotocol of SPDY tunnelled through WebSocket.
inline constexpr std::string_view kTunnelledProtocol = "SPDY/3.1+portforward.k8s.io";
// How long a request's first stream waits for its second (upstream's streamCreationTimeout).
inline constexpr std::chrono::seconds kStreamCreationTimeout{30};

enum class StreamType { Data, Error };

// What a new stream's headers ask for.
struct StreamRequest {
  StreamType type = StreamType::Data;
  uint16_t port = 0;
  std::string request_id;
};

// Upstream's checks of a new stream's headers (streamType, port, requestID); throws
// std::invalid_argument in upstream's words. A client too old to send requestID gets upstream's
// stand-in, derived from the stream id (valid while its connections do not overlap).
StreamRequest parse_stream(uint32_t stream_id, const spdy::Headers& headers);

// The error stream's text when forwarding fails, as upstream's kubelet writes it (the pod is
// named by its sandbox id and the uid is empty, as the CRI's streaming server has them):
// "error forwarding port 8080 to pod <sandbox>, uid : <why>".
std::string forwarding_error(uint16_t port, std::string_view pod, std::string_view uid, std::string_view why);

// The answer to an SPDY upgrade's X-Stream-Protocol-Version offers (comma-separated, or
// several headers joined with commas): the protocol, or empty when the client offered none
// (a client from before protocol negotiation). Throws std::invalid_argument in upstream's words
// when it offered only protocols this server does not speak.
std::string negotiate(std::string_view offered);

// The 101 answer to an SPDY upgrade with `protocol` (none when empty).
std::string upgrade_response(std::string_view protocol);

// The two streams of one forwarded connection.
struct StreamPair {
  std::string request_id;
  uint16_t port = 0;
  uint32_t data_stream = 0;   // 0 until it came
  uint32_t error_stream = 0;  // 0 until it came
  bool complete() const { return data_stream != 0 && error_stream != 0; }
};

// Streams waiting for their partner, by request id.
class StreamPairs {
 public:
  // Adds a stream to its request's pair and returns the pair, complete or not; a complete
  // pair is handed over (no longer held here). Throws std::invalid_argument ("data stream
  // already assigned") when the pair already has a stream of that type; the pair stays.
  StreamPair add(uint32_t stream_id, const StreamRequest& request);
  // The pair waiting for `request_id`'s second stream; null when none.
  const StreamPair* find(const std::string& request_id) const;
  // That pair, taken out; nullopt when none.
  std::optional<StreamPair> take(const std::string& request_id);
  // The request a waiting stream belongs to; empty when none.
  std::string request_of(uint32_t stream_id) const;
  size_t waiting() const { return pairs_.size(); }

 private:
  std::map<std::string, StreamPair> pairs_;
};

}  // namespace ukube::kubelet::portforward
