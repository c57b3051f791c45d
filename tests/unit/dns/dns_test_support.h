#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dns/wire.h"
#include "tests/support/loopback_socket.h"

// What the DNS tests share: messages encoded by hand (no compression, independent of the
// plugin's MessageWriter), Kubernetes objects, a small client, and a fake upstream resolver
// on 127.0.0.1 — the only upstream a test ever talks to.
namespace ukube::dns_test {

using namespace ukube::dns;
namespace json = boost::json;
using Bytes = std::vector<uint8_t>;

// --- Encoding by hand ---------------------------------------------------------------------

inline void add16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void add32(Bytes& b, uint32_t v) {
  add16(b, static_cast<uint16_t>(v >> 16));
  add16(b, static_cast<uint16_t>(v));
}
inline void add_name(Bytes& b, std::string_view dotted) {
  while (!dotted.empty() && dotted != ".") {
    const size_t dot = dotted.find('.');
    const std::string_view label = dotted.substr(0, dot);
    b.push_back(static_cast<uint8_t>(label.size()));
    b.insert(b.end(), label.begin(), label.end());
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  b.push_back(0);
}

struct Opt {
  uint16_t udp_size = 1232;
  bool dnssec_ok = false;
  uint8_t version = 0;
};

inline Bytes make_query(std::string_view name, uint16_t qtype, uint16_t id = 0x4242,
                        std::optional<Opt> opt = std::nullopt, uint16_t qclass = kClassIN) {
  Bytes b;
  add16(b, id);
  add16(b, flag::kRD);
  add16(b, 1);
  add16(b, 0);
  add16(b, 0);
  add16(b, opt ? 1 : 0);
  add_name(b, name);
  add16(b, qtype);
  add16(b, qclass);
  if (opt) {
    b.push_back(0);
    add16(b, type::kOPT);
    add16(b, opt->udp_size);
    add32(b, uint32_t(opt->version) << 16 | (opt->dnssec_ok ? 0x8000u : 0u));
    add16(b, 0);
  }
  return b;
}

// An upstream answer: header, the question, then records, all names uncompressed.
class AnswerBuilder {
 public:
  AnswerBuilder(const Message& query, uint8_t rcode = 0, uint16_t extra_flags = flag::kRA) {
    add16(bytes_, query.id);
    add16(bytes_, static_cast<uint16_t>(flag::kQR | (query.flags & flag::kRD) | extra_flags | rcode));
    add16(bytes_, 1);
    add32(bytes_, 0);
    add16(bytes_, 0);
    const Question& q = query.questions.at(0);
    bytes_.insert(bytes_.end(), q.name.data(), q.name.data() + q.name.size());
    add16(bytes_, q.type);
    add16(bytes_, q.cls);
  }
  AnswerBuilder& a(std::string_view owner, std::string_view ip, uint32_t ttl, int section = 0) {
    in_addr addr{};
    inet_pton(AF_INET, std::string(ip).c_str(), &addr);
    const auto* p = reinterpret_cast<const uint8_t*>(&addr);
    return record(owner, type::kA, ttl, Bytes(p, p + 4), section);
  }
  AnswerBuilder& cname(std::string_view owner, std::string_view target, uint32_t ttl) {
    Bytes rdata;
    add_name(rdata, target);
    return record(owner, type::kCNAME, ttl, rdata, 0);
  }
  AnswerBuilder& soa(std::string_view zone, uint32_t ttl, uint32_t minimum) {
    Bytes rdata;
    add_name(rdata, "ns." + std::string(zone));
    add_name(rdata, "hostmaster." + std::string(zone));
    for (uint32_t v : {1u, 7200u, 1800u, 86400u, minimum}) add32(rdata, v);
    return record(zone, type::kSOA, ttl, rdata, 1);
  }
  AnswerBuilder& record(std::string_view owner, uint16_t t, uint32_t ttl, const Bytes& rdata, int section) {
    add_name(bytes_, owner);
    add16(bytes_, t);
    add16(bytes_, kClassIN);
    add32(bytes_, ttl);
    add16(bytes_, static_cast<uint16_t>(rdata.size()));
    bytes_.insert(bytes_.end(), rdata.begin(), rdata.end());
    const size_t at = 6 + 2 * static_cast<size_t>(section);
    put16(&bytes_[at], static_cast<uint16_t>(get16(&bytes_[at]) + 1));
    return *this;
  }
  AnswerBuilder& truncated() {
    put16(&bytes_[2], get16(&bytes_[2]) | flag::kTC);
    return *this;
  }
  Bytes bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

// --- Reading answers ------------------------------------------------------------------------

inline std::string name_text(const Name& n) {
  return n.text();
}
inline std::string ipv4(const Record& r) {
  char buf[INET_ADDRSTRLEN] = {};
  if (r.rdata.size() == 4) inet_ntop(AF_INET, r.rdata.data(), buf, sizeof buf);
  return buf;
}
inline std::string ipv6(const Record& r) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (r.rdata.size() == 16) inet_ntop(AF_INET6, r.rdata.data(), buf, sizeof buf);
  return buf;
}
// The name at `offset` of a record's (uncompressed) rdata.
inline std::string rdata_name(const Record& r, size_t offset = 0) {
  const auto* p = reinterpret_cast<const uint8_t*>(r.rdata.data());
  Name n;
  read_name({p, r.rdata.size()}, offset, n);
  return n.text();
}
inline uint16_t rdata16(const Record& r, size_t offset) {
  return get16(reinterpret_cast<const uint8_t*>(r.rdata.data()) + offset);
}
inline uint32_t rdata32(const Record& r, size_t offset) {
  return get32(reinterpret_cast<const uint8_t*>(r.rdata.data()) + offset);
}
inline std::vector<std::string> addresses(const Message& m) {
  std::vector<std::string> out;
  for (const auto& r : m.answer) {
    if (r.type == type::kA) out.push_back(ipv4(r));
    if (r.type == type::kAAAA) out.push_back(ipv6(r));
  }
  return out;
}

// --- Objects --------------------------------------------------------------------------------

struct PortSpec {
  std::string name;
  std::string protocol;
  int port;
};

inline json::object namespace_object(std::string_view name) {
  return {{"metadata", {{"name", name}}}};
}

inline json::object service_object(std::string_view name, std::string_view ns, std::string_view cluster_ip,
                                   std::vector<PortSpec> ports = {{"http", "TCP", 80}},
                                   std::string_view type = "ClusterIP", std::string_view external = "") {
  json::array p;
  for (const auto& port : ports) {
    json::object o{{"protocol", port.protocol}, {"port", port.port}};
    if (!port.name.empty()) o["name"] = port.name;
    p.push_back(std::move(o));
  }
  json::object spec{{"type", type}, {"ports", std::move(p)}};
  if (!cluster_ip.empty()) {
    spec["clusterIP"] = cluster_ip;
    spec["clusterIPs"] = json::array{json::string(cluster_ip)};
  }
  if (!external.empty()) spec["externalName"] = external;
  return {{"metadata", {{"name", name}, {"namespace", ns}}}, {"spec", std::move(spec)}};
}

struct EndpointSpec {
  std::string ip;
  std::string hostname;
  std::optional<bool> ready = true;
};

inline json::object slice_object(std::string_view name, std::string_view ns, std::string_view service,
                                 std::vector<EndpointSpec> endpoints, std::vector<PortSpec> ports,
                                 std::string_view address_type = "IPv4") {
  json::array eps;
  for (const auto& e : endpoints) {
    json::object o{{"addresses", json::array{json::string(e.ip)}}};
    if (!e.hostname.empty()) o["hostname"] = e.hostname;
    if (e.ready) o["conditions"] = json::object{{"ready", *e.ready}};
    eps.push_back(std::move(o));
  }
  json::array p;
  for (const auto& port : ports) {
    json::object o{{"protocol", port.protocol}, {"port", port.port}};
    if (!port.name.empty()) o["name"] = port.name;
    p.push_back(std::move(o));
  }
  return {{"metadata",
           {{"name", name}, {"namespace", ns}, {"labels", {{"kubernetes.io/service-name", service}}}}},
          {"addressType", address_type},
          {"endpoints", std::move(eps)},
          {"ports", std::move(p)}};
}

// --- Talking to a server on loopback --------------------------------------------------------

inline sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Sends `query` over UDP and waits (at most `timeout`) for a datagram back.
inline std::optional<Bytes> udp_exchange(uint16_t port, const Bytes& query,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = loopback(port);
  sendto(fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  pollfd p{fd, POLLIN, 0};
  std::optional<Bytes> out;
  if (poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
    Bytes buf(65536);
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n >= 0) out = Bytes(buf.begin(), buf.begin() + n);
  }
  close(fd);
  return out;
}

inline bool read_exactly(int fd, uint8_t* p, size_t n, int timeout_ms) {
  while (n > 0) {
    pollfd pf{fd, POLLIN, 0};
    if (poll(&pf, 1, timeout_ms) != 1) return false;
    const ssize_t got = recv(fd, p, n, 0);
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

// A TCP connection to a DNS server: length-prefixed messages.
class TcpClient {
 public:
  explicit TcpClient(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    const sockaddr_in to = loopback(port);
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
  }
  ~TcpClient() { close(fd_); }
  bool connected() const { return connected_; }
  void send(const Bytes& query) {
    Bytes framed(2);
    put16(framed.data(), static_cast<uint16_t>(query.size()));
    framed.insert(framed.end(), query.begin(), query.end());
    ::send(fd_, framed.data(), framed.size(), MSG_NOSIGNAL);
  }
  std::optional<Bytes> receive(int timeout_ms = 3000) {
    uint8_t len[2];
    if (!read_exactly(fd_, len, 2, timeout_ms)) return std::nullopt;
    Bytes body(get16(len));
    if (!read_exactly(fd_, body.data(), body.size(), timeout_ms)) return std::nullopt;
    return body;
  }
  // Whether the server closed (or reset) the connection within `timeout_ms`.
  bool closed_by_peer(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return false;
    uint8_t b;
    return recv(fd_, &b, 1, MSG_PEEK) <= 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

inline std::optional<Message> ask_udp(uint16_t port, const Bytes& query,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  auto bytes = udp_exchange(port, query, timeout);
  return bytes ? parse_message(*bytes) : std::nullopt;
}

inline std::optional<Message> ask_tcp(uint16_t port, const Bytes& query) {
  TcpClient c(port);
  c.send(query);
  auto bytes = c.receive();
  return bytes ? parse_message(*bytes) : std::nullopt;
}

// A resolver on 127.0.0.1 (UDP and TCP on one port) answering with `respond` (no bytes: no
// answer), counting what it was asked.
class FakeUpstream {
 public:
  using Respond = std::function<Bytes(const Message& query, bool tcp)>;
  explicit FakeUpstream(Respond respond) : respond_(std::move(respond)) {
    udp_ = testing::bind_loopback(SOCK_DGRAM, port_);
    sockaddr_in a = loopback(port_);
    tcp_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(tcp_, 16);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeUpstream() {
    stop_ = true;
    thread_.join();
    close(udp_);
    close(tcp_);
  }
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int udp_queries() const { return udp_count_; }
  int tcp_queries() const { return tcp_count_; }
  // The names asked, in order.
  std::vector<std::string> asked() const {
    std::lock_guard lock(mutex_);
    return asked_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (poll(p, 2, 20) <= 0) continue;
      if (p[0].revents & POLLIN) {
        Bytes buf(65536);
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n = recvfrom(udp_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) {
          ++udp_count_;
          if (auto reply = answer({buf.data(), static_cast<size_t>(n)}, false); !reply.empty())
            sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
      }
      if (p[1].revents & POLLIN) {
        const int c = accept(tcp_, nullptr, nullptr);
        uint8_t len[2];
        if (c >= 0 && read_exactly(c, len, 2, 1000)) {
          Bytes body(get16(len));
          if (read_exactly(c, body.data(), body.size(), 1000)) {
            ++tcp_count_;
            Bytes reply = answer(body, true);
            if (!reply.empty()) {
              Bytes framed(2);
              put16(framed.data(), static_cast<uint16_t>(reply.size()));
              framed.insert(framed.end(), reply.begin(), reply.end());
              ::send(c, framed.data(), framed.size(), MSG_NOSIGNAL);
            }
          }
        }
        if (c >= 0) close(c);
      }
    }
  }
  Bytes answer(std::span<const uint8_t> query, bool tcp) {
    auto m = parse_message(query);
    if (!m || m->questions.empty()) return {};
    {
      std::lock_guard lock(mutex_);
      asked_.push_back(m->questions[0].name.text());
    }
    return respond_(*m, tcp);
  }

  Respond respond_;
  int udp_ = -1, tcp_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> udp_count_{0}, tcp_count_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> asked_;
  std::thread thread_;
};

// A loopback UDP port with nothing behind it (ICMP port unreachable), for a dead upstream.
inline uint16_t dead_udp_port() {
  uint16_t port = 0;
  close(testing::bind_loopback(SOCK_DGRAM, port));
  return port;
}

}  // namespace ukube::dns_test
