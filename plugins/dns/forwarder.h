#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "response_cache.h"
#include "wire.h"

// Asks the upstream resolvers what the cluster does not answer, as CoreDNS's forward plugin:
// over UDP from one connected socket per upstream (random ids, the question checked on the
// way back), over TCP when the UDP answer comes back truncated; each upstream in turn,
// starting from the next one each time, until one answers or all have failed (timed out,
// refused): then the asker gets SERVFAIL. Questions already on their way are not sent
// twice: later askers wait for the same answer. Answers go into the ResponseCache.
// Single-threaded: everything runs on the server's io_context.
namespace ukube::dns {

namespace asio = boost::asio;

class Forwarder {
 public:
  // The answer, or null when every upstream failed.
  using Done = std::function<void(std::shared_ptr<const CachedResponse>)>;
  struct Counters {
    std::atomic<uint64_t> sent{0};       // queries sent upstream (retries and TCP included)
    std::atomic<uint64_t> failures{0};   // questions no upstream answered
    std::atomic<uint64_t> truncated{0};  // UDP answers retried over TCP
  };

  Forwarder(asio::io_context& io, std::vector<asio::ip::udp::endpoint> upstreams,
            std::chrono::milliseconds timeout, ResponseCache& cache);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Resolves `name` (sent as spelled) upstream; `key` is its ResponseCache key.
  void resolve(const Name& name, uint16_t qtype, uint16_t qclass, bool dnssec_ok, bool checking_disabled,
               const std::string& key, Done done);
  bool has_upstreams() const { return !upstreams_.empty(); }
  const Counters& counters() const { return counters_; }
  size_t in_flight() const { return by_key_.size(); }

 private:
  struct Pending;
  struct Upstream;
  void send(const std::shared_ptr<Pending>& p);
  void next_upstream(const std::shared_ptr<Pending>& p);
  void over_tcp(const std::shared_ptr<Pending>& p);
  void receive(Upstream& u);
  void on_datagram(Upstream& u, size_t size);
  // Whether `reply` answers `p`; completes it if so.
  bool accept(const std::shared_ptr<Pending>& p, std::span<const uint8_t> reply, bool over_tcp);
  void complete(const std::shared_ptr<Pending>& p, std::shared_ptr<const CachedResponse> answer);
  void arm_timer();
  void on_timer();
  uint16_t fresh_id();

  asio::io_context& io_;
  std::vector<std::unique_ptr<Upstream>> upstreams_;
  std::chrono::milliseconds timeout_;
  ResponseCache& cache_;
  std::unordered_map<uint16_t, std::shared_ptr<Pending>> by_id_;
  std::unordered_map<std::string, std::shared_ptr<Pending>> by_key_;
  struct Deadline {
    Clock::time_point at;
    std::weak_ptr<Pending> pending;
    uint32_t stage;
  };
  std::deque<Deadline> deadlines_;  // in order: every attempt has the same timeout
  asio::steady_timer timer_;
  bool timer_armed_ = false;
  size_t next_ = 0;
  std::mt19937 random_;
  Counters counters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ukube::dns
