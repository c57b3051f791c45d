#include "port_forward.h"

#include <stdexcept>
#include <vector>

#include "stream_protocols.h"

namespace ukube::kubelet::portforward {
namespace {

// Go's %q of a string without quotes or escapes in it, which is all these messages need.
std::string percent_q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// Go's fmt of a []string: [a b c].
std::string go_list(const std::vector<std::string_view>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + std::string(items[i]);
  return out + "]";
}

// strconv.ParseUint(s, 10, 16) and its error text.
uint16_t parse_port(const std::string& text) {
  const std::string prefix = "unable to parse " + percent_q(text) +
                             " as a port: strconv.ParseUint: parsing " + percent_q(text) + ": ";
  if (text.empty()) throw std::invalid_argument(prefix + "invalid syntax");
  unsigned long value = 0;
  bool overflow = false;
  for (char c : text) {
    if (c < '0' || c > '9') throw std::invalid_argument(prefix + "invalid syntax");
    value = value * 10 + static_cast<unsigned long>(c - '0');
    overflow = overflow || value > 65535;
    if (overflow) value = 65536;
  }
  if (overflow) throw std::invalid_argument(prefix + "value out of range");
  return static_cast<uint16_t>(value);
}

}  // namespace

StreamRequest parse_stream(uint32_t stream_id, const spdy::Headers& headers) {
  StreamRequest out;
  const std::string port = spdy::header(headers, "port");
  if (port.empty()) throw std::invalid_argument("\"port\" header is required");
  out.port = parse_port(port);
  if (out.port < 1) throw std::invalid_argument("port " + percent_q(port) + " must be > 0");
  const std::string type = spdy::header(headers, "streamtype");
  if (type.empty()) throw std::invalid_argument("\"streamType\" header is required");
  if (type == "data")
    out.type = StreamType::Data;
  else if (type == "error")
    out.type = StreamType::Error;
  else
    throw std::invalid_argument("invalid stream type " + percent_q(type));
  out.request_id = spdy::header(headers, "requestid");
  // Upstream's stand-in for clients without request ids: each connection's error stream
  // comes first and its data stream two ids later.
  if (out.request_id.empty())
    out.request_id = std::to_string(out.type == StreamType::Error ? static_cast<int64_t>(stream_id)
                                                                  : static_cast<int64_t>(stream_id) - 2);
  return out;
}

std::string forwarding_error(uint16_t port, std::string_view pod, std::string_view uid,
                             std::string_view why) {
  return "error forwarding port " + std::to_string(port) + " to pod " + std::string(pod) + ", uid " +
         std::string(uid) + ": " + std::string(why);
}

std::string negotiate(std::string_view offered) {
  const std::vector<std::string_view> offers = protocols_in(offered);
  if (offers.empty()) throw std::invalid_argument("unable to upgrade: X-Stream-Protocol-Version is required");
  std::string chosen = choose_protocol(offered, {kProtocol});
  if (chosen.empty())
    throw std::invalid_argument("unable to upgrade: unable to negotiate protocol: client supports " +
                                go_list(offers) + ", server accepts " + go_list({kProtocol}));
  return chosen;
}

std::string upgrade_response(std::string_view protocol) {
  std::string out = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n";
  if (!protocol.empty()) out += "X-Stream-Protocol-Version: " + std::string(protocol) + "\r\n";
  return out + "\r\n";
}

StreamPair StreamPairs::add(uint32_t stream_id, const StreamRequest& request) {
  StreamPair& pair = pairs_[request.request_id];
  pair.request_id = request.request_id;
  uint32_t& slot = request.type == StreamType::Data ? pair.data_stream : pair.error_stream;
  if (slot != 0)
    throw std::invalid_argument(request.type == StreamType::Data ? "data stream already assigned"
                                                                 : "error stream already assigned");
  slot = stream_id;
  // The data stream's port is the one forwarded (both name it).
  if (pair.port == 0 || request.type == StreamType::Data) pair.port = request.port;
  StreamPair out = pair;
  if (out.complete()) pairs_.erase(request.request_id);
  return out;
}

const StreamPair* StreamPairs::find(const std::string& request_id) const {
  auto it = pairs_.find(request_id);
  return it == pairs_.end() ? nullptr : &it->second;
}

std::optional<StreamPair> StreamPairs::take(const std::string& request_id) {
  auto it = pairs_.find(request_id);
  if (it == pairs_.end()) return std::nullopt;
  StreamPair out = std::move(it->second);
  pairs_.erase(it);
  return out;
}

std::string StreamPairs::request_of(uint32_t stream_id) const {
  for (const auto& [id, pair] : pairs_)
    if (pair.data_stream == stream_id || pair.error_stream == stream_id) return id;
  return {};
}

}  // namespace ukube::kubelet::portforward
