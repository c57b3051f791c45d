#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cluster_answers.h"
#include "cluster_index.h"
#include "forwarder.h"
#include "response_cache.h"
#include "settings.h"

namespace spdlog {
class logger;
}

// The DNS server: UDP and TCP listeners on one Asio thread. UDP reads and answers in batches
// (recvmmsg / sendmmsg); TCP takes length-prefixed queries, several per connection, answers
// them in the order they complete and closes a connection idle for tcp_idle. Names in the
// cluster zone (and PTR names the cluster has) are answered from the ClusterIndex; everything
// else from the ResponseCache or, on a miss, through the Forwarder. A UDP answer larger than
// the asker allows is cut to whole records with TC set, so the asker retries over TCP.
namespace ukube::dns {

// What the server counted (CoreDNS's metrics' counterparts), read by tests and benchmarks.
struct ServerCounters {
  std::atomic<uint64_t> udp_queries{0}, tcp_queries{0};
  std::atomic<uint64_t> cluster_answers{0};  // answered from the index
  std::atomic<uint64_t> cache_hits{0}, cache_misses{0};
  std::atomic<uint64_t> truncated{0};  // UDP answers cut (TC)
  std::array<std::atomic<uint64_t>, 16> rcodes{};
};

class DnsServer {
 public:
  DnsServer(ServerOptions options, const ClusterIndex& index, const ClusterAnswers& answers,
            std::shared_ptr<spdlog::logger> log);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Binds every listen address (throws std::runtime_error naming the one that failed) and
  // serves on a thread of its own until stop().
  void start();
  void stop();
  // The bound addresses, ports resolved.
  std::vector<asio::ip::udp::endpoint> endpoints() const;
  const ServerCounters& counters() const { return counters_; }
  const Forwarder::Counters& forwarder_counters() const { return forwarder_->counters(); }
  size_t cache_size() const { return cache_.size(); }

  // Where an answer that comes later (from upstream) goes: made only when a query is
  // forwarded, so the answer path allocates nothing for the asker.
  using Later = std::function<void(std::span<const uint8_t>)>;
  class LaterSource {
   public:
    virtual Later make() const = 0;

   protected:
    ~LaterSource() = default;
  };
  // Answers one query (the server's core, run on its thread): the answer's length in `out`,
  // or 0 when there is nothing to send now (ignored, or forwarded: `later` gets the answer).
  size_t handle(std::span<const uint8_t> in, bool tcp, std::span<uint8_t> out, const LaterSource& later);

 private:
  struct UdpListener;
  class TcpConnection;
  struct TcpListener;
  void read_udp(UdpListener& l);
  void accept_tcp(TcpListener& l);
  size_t error_answer(const Query& q, uint16_t rc, bool with_question, std::span<uint8_t> out);
  size_t forward(const Query& q, size_t limit, std::span<uint8_t> out, const LaterSource& later);
  size_t cluster(const Query& q, size_t zone_offset, bool reverse, size_t limit, std::span<uint8_t> out,
                 const LaterSource& later);
  void count(std::span<const uint8_t> answer);

  ServerOptions options_;
  const ClusterIndex& index_;
  const ClusterAnswers& answers_;
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_;
  ResponseCache cache_;
  std::unique_ptr<Forwarder> forwarder_;
  std::vector<std::unique_ptr<UdpListener>> udp_;
  std::vector<std::unique_ptr<TcpListener>> tcp_;
  std::vector<asio::ip::udp::endpoint> bound_;
  size_t tcp_connections_ = 0;
  std::vector<uint8_t> scratch_;  // answers that come later, written on the server's thread
  std::thread thread_;
  ServerCounters counters_;
};

}  // namespace ukube::dns
