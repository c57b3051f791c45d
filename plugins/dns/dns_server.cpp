#include "dns_server.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <stdexcept>

namespace ukube::dns {
namespace {

constexpr size_t kBatch = 32;           // datagrams per recvmmsg / sendmmsg
constexpr size_t kMaxUdpQuery = 4096;   // a larger datagram is no query we take
constexpr size_t kMaxUdpAnswer = 4096;  // whatever size an asker advertises
constexpr int kRoundsBeforeYield = 16;  // batches in a row before other work gets a turn

// Lets a socket bind an address the machine does not have yet (the pod network's gateway
// before the bridge is up): it serves once the address appears.
template <class Socket>
void allow_future_address(Socket& socket, bool v6) {
  const int one = 1;
  if (v6)
    ::setsockopt(socket.native_handle(), IPPROTO_IPV6, 78 /* IPV6_FREEBIND */, &one, sizeof one);
  else
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
}

std::string text(const asio::ip::udp::endpoint& ep) {
  const std::string host = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(ep.port());
}

const Name& reverse_v4() {
  static const Name n = *Name::from_text("in-addr.arpa");
  return n;
}
const Name& reverse_v6() {
  static const Name n = *Name::from_text("ip6.arpa");
  return n;
}

}  // namespace

struct DnsServer::UdpListener {
  explicit UdpListener(asio::io_context& io)
      : socket(io), in_buf(kBatch * kMaxUdpQuery), out_buf(kBatch * kMaxUdpAnswer) {}
  asio::ip::udp::socket socket;
  std::array<mmsghdr, kBatch> in{}, out{};
  std::array<iovec, kBatch> in_iov{}, out_iov{};
  std::array<sockaddr_storage, kBatch> peers{};
  std::vector<uint8_t> in_buf, out_buf;
};

struct DnsServer::TcpListener {
  explicit TcpListener(asio::io_context& io) : acceptor(io) {}
  asio::ip::tcp::acceptor acceptor;
};

class DnsServer::TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(DnsServer& server, asio::ip::tcp::socket socket)
      : server_(server), socket_(std::move(socket)), idle_(socket_.get_executor()) {}

  void start() {
    last_ = Clock::now();
    arm_idle();
    read_length();
  }
  void deliver(std::span<const uint8_t> answer) {
    if (closed_) return;
    std::vector<uint8_t> framed(2 + answer.size());
    put16(framed.data(), static_cast<uint16_t>(answer.size()));
    std::memcpy(framed.data() + 2, answer.data(), answer.size());
    out_.push_back(std::move(framed));
    if (!writing_) write_next();
  }
  void forwarded() { ++pending_; }
  void answered() { --pending_; }

 private:
  void read_length() {
    asio::async_read(socket_, asio::buffer(length_), [self = shared_from_this()](auto ec, size_t) {
      if (ec) return self->close();
      const uint16_t size = get16(self->length_.data());
      if (size < kHeaderSize) return self->close();  // not a query: nothing to answer
      self->in_.resize(size);
      self->read_body();
    });
  }
  void read_body() {
    asio::async_read(socket_, asio::buffer(in_), [self = shared_from_this()](auto ec, size_t) {
      if (ec) return self->close();
      self->last_ = Clock::now();
      struct Source final : LaterSource {
        std::shared_ptr<TcpConnection> connection;
        Later make() const override {
          connection->forwarded();
          return [c = connection](std::span<const uint8_t> answer) {
            c->answered();
            c->deliver(answer);
          };
        }
      } source;
      source.connection = self;
      auto& scratch = self->server_.scratch_;
      if (size_t n = self->server_.handle(self->in_, true, scratch, source))
        self->deliver({scratch.data(), n});
      self->read_length();
    });
  }
  void write_next() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(out_.front()), [self = shared_from_this()](auto ec, size_t) {
      self->out_.pop_front();
      self->last_ = Clock::now();
      if (ec) return self->close();
      if (self->out_.empty())
        self->writing_ = false;
      else
        self->write_next();
    });
  }
  void arm_idle() {
    idle_.expires_at(last_ + server_.options_.tcp_idle);
    idle_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec || self->closed_) return;
      const bool idle = Clock::now() - self->last_ >= self->server_.options_.tcp_idle;
      if (idle && self->pending_ == 0 && !self->writing_) return self->close();
      if (idle) self->last_ = Clock::now();  // still answering: count from now
      self->arm_idle();
    });
  }
  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    idle_.cancel();
    --server_.tcp_connections_;
  }

  DnsServer& server_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer idle_;
  std::array<uint8_t, 2> length_{};
  std::vector<uint8_t> in_;
  std::deque<std::vector<uint8_t>> out_;
  Clock::time_point last_;
  size_t pending_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

DnsServer::DnsServer(ServerOptions options, const ClusterIndex& index, const ClusterAnswers& answers,
                     std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      index_(index),
      answers_(answers),
      log_(std::move(log)),
      cache_(options_.cache_capacity, options_.cache_seconds),
      scratch_(kMaxMessageSize) {}

DnsServer::~DnsServer() {
  stop();
}

void DnsServer::start() {
  forwarder_ = std::make_unique<Forwarder>(io_, options_.upstreams, options_.upstream_timeout, cache_);
  for (const auto& wanted : options_.listen) {
    // Port 0: UDP picks a port, TCP must get the same; another process may hold it on TCP.
    for (int attempt = 0;; ++attempt) {
      auto udp = std::make_unique<UdpListener>(io_);
      auto tcp = std::make_unique<TcpListener>(io_);
      boost::system::error_code ec;
      const char* step = "udp";
      udp->socket.open(wanted.protocol(), ec);
      if (!ec && wanted.address().is_v6()) udp->socket.set_option(asio::ip::v6_only(true), ec);
      if (!ec) allow_future_address(udp->socket, wanted.address().is_v6());
      if (!ec) udp->socket.bind(wanted, ec);
      if (!ec) udp->socket.non_blocking(true, ec);
      if (!ec) udp->socket.set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
      asio::ip::udp::endpoint bound;
      if (!ec) bound = udp->socket.local_endpoint(ec);
      if (!ec) {
        step = "tcp";
        const asio::ip::tcp::endpoint tcp_ep(bound.address(), bound.port());
        tcp->acceptor.open(tcp_ep.protocol(), ec);
        if (!ec && wanted.address().is_v6()) tcp->acceptor.set_option(asio::ip::v6_only(true), ec);
        if (!ec) tcp->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) allow_future_address(tcp->acceptor, wanted.address().is_v6());
        if (!ec) tcp->acceptor.bind(tcp_ep, ec);
        if (!ec) tcp->acceptor.listen(asio::socket_base::max_listen_connections, ec);
      }
      if (ec) {
        if (wanted.port() == 0 && ec == asio::error::address_in_use && attempt < 20) continue;
        std::string hint;
        if (ec == asio::error::access_denied) hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
        if (ec == asio::error::address_in_use)
          hint = " (another server holds the port; pick another in listen)";
        throw std::runtime_error("dns: cannot listen on " + text(wanted) + "/" + step + ": " + ec.message() +
                                 hint);
      }
      bound_.push_back(bound);
      udp_.push_back(std::move(udp));
      tcp_.push_back(std::move(tcp));
      break;
    }
  }
  for (auto& l : udp_) {
    UdpListener* listener = l.get();
    listener->socket.async_wait(asio::socket_base::wait_read, [this, listener](boost::system::error_code ec) {
      if (!ec) read_udp(*listener);
    });
  }
  for (auto& l : tcp_) accept_tcp(*l);
  if (log_) {
    std::string where;
    for (const auto& ep : bound_) where += (where.empty() ? "" : ", ") + text(ep);
    log_->info("dns: serving {} on {} (udp and tcp); {} upstream resolver(s)",
               answers_.settings().zone.text(), where, options_.upstreams.size());
  }
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
}

void DnsServer::stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
  udp_.clear();
  tcp_.clear();
  forwarder_.reset();
}

std::vector<asio::ip::udp::endpoint> DnsServer::endpoints() const {
  return bound_;
}

void DnsServer::read_udp(UdpListener& l) {
  const int fd = l.socket.native_handle();
  for (int round = 0; round < kRoundsBeforeYield; ++round) {
    for (size_t i = 0; i < kBatch; ++i) {
      l.in_iov[i] = {l.in_buf.data() + i * kMaxUdpQuery, kMaxUdpQuery};
      l.in[i].msg_hdr = {};
      l.in[i].msg_hdr.msg_name = &l.peers[i];
      l.in[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      l.in[i].msg_hdr.msg_iov = &l.in_iov[i];
      l.in[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(fd, l.in.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;  // drained (EAGAIN) or failed: wait for more
    }
    size_t m = 0;
    for (int i = 0; i < n; ++i) {
      const mmsghdr& got = l.in[static_cast<size_t>(i)];
      if (got.msg_hdr.msg_flags & MSG_TRUNC) continue;
      struct Source final : LaterSource {
        DnsServer* server;
        int fd;
        sockaddr_storage peer;
        socklen_t peer_size;
        Later make() const override {
          return [fd = fd, peer = peer, size = peer_size](std::span<const uint8_t> answer) {
            ::sendto(fd, answer.data(), answer.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&peer),
                     size);
          };
        }
      } source;
      source.server = this;
      source.fd = fd;
      source.peer = l.peers[static_cast<size_t>(i)];
      source.peer_size = got.msg_hdr.msg_namelen;
      uint8_t* answer = l.out_buf.data() + m * kMaxUdpAnswer;
      const size_t size = handle({l.in_buf.data() + static_cast<size_t>(i) * kMaxUdpQuery, got.msg_len},
                                 false, {answer, kMaxUdpAnswer}, source);
      if (size == 0) continue;
      l.out_iov[m] = {answer, size};
      l.out[m].msg_hdr = {};
      l.out[m].msg_hdr.msg_name = &l.peers[static_cast<size_t>(i)];
      l.out[m].msg_hdr.msg_namelen = got.msg_hdr.msg_namelen;
      l.out[m].msg_hdr.msg_iov = &l.out_iov[m];
      l.out[m].msg_hdr.msg_iovlen = 1;
      ++m;
    }
    for (size_t sent = 0; sent < m;) {
      const int r = ::sendmmsg(fd, l.out.data() + sent, static_cast<unsigned>(m - sent), MSG_DONTWAIT);
      if (r > 0) {
        sent += static_cast<size_t>(r);
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;  // the socket's buffer is full: UDP askers retry
      } else {
        ++sent;  // this one cannot go (e.g. the peer's address): the rest still can
      }
    }
    if (static_cast<size_t>(n) < kBatch) {
      l.socket.async_wait(asio::socket_base::wait_read, [this, &l](boost::system::error_code ec) {
        if (!ec) read_udp(l);
      });
      return;
    }
  }
  // Still busy (or interrupted): other work gets a turn, then reading goes on.
  asio::post(io_, [this, &l] { read_udp(l); });
}

void DnsServer::accept_tcp(TcpListener& l) {
  l.acceptor.async_accept([this, &l](boost::system::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) return;
    if (!ec) {
      if (tcp_connections_ >= options_.max_tcp_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        ++tcp_connections_;
        std::make_shared<TcpConnection>(*this, std::move(socket))->start();
      }
    }
    accept_tcp(l);
  });
}

void DnsServer::count(std::span<const uint8_t> answer) {
  if (answer.size() >= kHeaderSize) ++counters_.rcodes[answer[3] & 0xF];
}

size_t DnsServer::error_answer(const Query& q, uint16_t rc, bool with_question, std::span<uint8_t> out) {
  MessageWriter w(out.data(), out.size());
  w.header(q.id, static_cast<uint16_t>(flag::kQR | (q.opcode() << 11) | (q.flags & (flag::kRD | flag::kCD))));
  w.set_rcode(rc);
  if (with_question) w.question(q.qname.wire(), q.qtype, q.qclass);
  if (rc == rcode::kBadVers || (with_question && q.edns)) w.set_edns(kAdvertisedUdpSize, q.dnssec_ok);
  return w.finish();
}

size_t DnsServer::handle(std::span<const uint8_t> in, bool tcp, std::span<uint8_t> out,
                         const LaterSource& later) {
  thread_local Query q;
  size_t n = 0;
  const QueryStatus status = parse_query(in, q);
  if (status == QueryStatus::ignore) return 0;
  ++(tcp ? counters_.tcp_queries : counters_.udp_queries);
  switch (status) {
    case QueryStatus::ignore: return 0;
    case QueryStatus::formerr: n = error_answer(q, rcode::kFormErr, false, out); break;
    case QueryStatus::notimp: n = error_answer(q, rcode::kNotImp, false, out); break;
    case QueryStatus::badvers: n = error_answer(q, rcode::kBadVers, true, out); break;
    case QueryStatus::ok: {
      const size_t limit = tcp ? kMaxMessageSize : q.udp_limit(kMaxUdpAnswer);
      const auto lower = q.lower.wire();
      if (auto at = zone_offset(lower, answers_.settings().zone.wire())) {
        n = cluster(q, *at, false, limit, out, later);
      } else if (q.qtype == type::kPTR &&
                 (zone_offset(lower, reverse_v4().wire()) || zone_offset(lower, reverse_v6().wire()))) {
        n = cluster(q, 0, true, limit, out, later);
      } else {
        n = forward(q, limit, out, later);
      }
      break;
    }
  }
  if (n) count(out.first(n));
  return n;
}

size_t DnsServer::cluster(const Query& q, size_t zone_offset, bool reverse, size_t limit,
                          std::span<uint8_t> out, const LaterSource& later) {
  thread_local ClusterAnswer answer;
  {
    const auto reader = index_.read();
    if (reverse)
      answers_.reverse(reader, q, answer);
    else
      answers_.answer(reader, index_.synced(), index_.serial(), q, zone_offset, answer);
  }
  if (answer.outcome == ClusterAnswer::Outcome::forward) return forward(q, limit, out, later);
  ++counters_.cluster_answers;
  // Writes the answer, with the upstream records of an ExternalName's target when there are.
  auto write = [this, limit](const Query& q, const ClusterAnswer& a, const CachedResponse* upstream,
                             std::span<uint8_t> buf) {
    std::optional<Message> records;
    if (upstream) {
      records = parse_message(upstream->wire());
      const auto left = static_cast<uint32_t>(std::max<int64_t>(upstream->remaining(Clock::now()), 0));
      if (records)
        for (auto& r : records->answer) r.ttl = left;
    }
    MessageWriter w(buf.data(), buf.size());
    w.set_limit(limit);
    if (q.edns) w.set_edns(kAdvertisedUdpSize, q.dnssec_ok);
    write_cluster_answer(q, a, records ? &*records : nullptr, w);
    if (w.truncated()) ++counters_.truncated;
    return w.finish();
  };
  if (answer.external < 0) return write(q, answer, nullptr, out);

  // An ExternalName: its target's records come from upstream (or the cache).
  Name target = answer.names[static_cast<size_t>(answer.external)];
  Name lower = target;
  lower.lowercase();
  std::string key;
  ResponseCache::key(lower.wire(), q.qtype, kClassIN, q.dnssec_ok, q.cd(), key);
  if (auto hit = cache_.get(key, Clock::now())) {
    ++counters_.cache_hits;
    return write(q, answer, hit.get(), out);
  }
  ++counters_.cache_misses;
  forwarder_->resolve(target, q.qtype, kClassIN, q.dnssec_ok, q.cd(), key,
                      [this, write, q, a = answer,
                       reply = later.make()](std::shared_ptr<const CachedResponse> entry) mutable {
                        if (!entry) a.external_failed();
                        const size_t n = write(q, a, entry.get(), scratch_);
                        count({scratch_.data(), n});
                        reply({scratch_.data(), n});
                      });
  return 0;
}

size_t DnsServer::forward(const Query& q, size_t limit, std::span<uint8_t> out, const LaterSource& later) {
  thread_local std::string key;
  ResponseCache::key(q.lower.wire(), q.qtype, q.qclass, q.dnssec_ok, q.cd(), key);
  const auto now = Clock::now();
  if (auto hit = cache_.get(key, now)) {
    if (size_t n = hit->serve(q, now, limit, out.data(), out.size())) {
      ++counters_.cache_hits;
      if (get16(out.data() + 2) & flag::kTC) ++counters_.truncated;
      return n;
    }
  }
  ++counters_.cache_misses;
  forwarder_->resolve(
      q.qname, q.qtype, q.qclass, q.dnssec_ok, q.cd(), key,
      [this, q, limit, reply = later.make()](std::shared_ptr<const CachedResponse> entry) {
        size_t n = entry ? entry->serve(q, Clock::now(), limit, scratch_.data(), scratch_.size()) : 0;
        if (n == 0) n = error_answer(q, rcode::kServFail, true, scratch_);
        if (get16(scratch_.data() + 2) & flag::kTC) ++counters_.truncated;
        count({scratch_.data(), n});
        reply({scratch_.data(), n});
      });
  return 0;
}

}  // namespace ukube::dns
