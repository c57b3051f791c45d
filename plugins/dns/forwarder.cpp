#include "forwarder.h"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

namespace ukube::dns {

struct Forwarder::Upstream {
  Upstream(asio::io_context& io, asio::ip::udp::endpoint ep, size_t i) : endpoint(ep), socket(io), index(i) {}
  asio::ip::udp::endpoint endpoint;
  asio::ip::udp::socket socket;
  size_t index;
  std::array<uint8_t, kMaxMessageSize> buffer;
};

struct Forwarder::Pending {
  std::string key;
  Name name;
  uint16_t qtype = 0, qclass = 0;
  std::vector<Done> waiters;
  std::vector<uint8_t> query;
  uint16_t id = 0;
  size_t upstream = 0;  // the one asked now
  size_t tried = 0;     // upstreams given up on so far
  uint32_t stage = 0;   // bumped with every attempt: stale deadlines and replies do nothing
  bool tcp = false;     // the attempt is over TCP
};

Forwarder::Forwarder(asio::io_context& io, std::vector<asio::ip::udp::endpoint> upstreams,
                     std::chrono::milliseconds timeout, ResponseCache& cache)
    : io_(io), timeout_(timeout), cache_(cache), timer_(io), random_(std::random_device{}()) {
  for (const auto& ep : upstreams) {
    auto u = std::make_unique<Upstream>(io, ep, upstreams_.size());
    boost::system::error_code ec;
    u->socket.open(ep.protocol(), ec);
    if (!ec) u->socket.connect(ep, ec);
    if (!ec) u->socket.non_blocking(true, ec);
    if (ec)
      throw std::runtime_error("dns: cannot use upstream " + ep.address().to_string() + ":" +
                               std::to_string(ep.port()) + ": " + ec.message());
    receive(*u);
    upstreams_.push_back(std::move(u));
  }
}

Forwarder::~Forwarder() {
  *alive_ = false;
  boost::system::error_code ec;
  timer_.cancel();
  for (auto& u : upstreams_) u->socket.close(ec);
}

uint16_t Forwarder::fresh_id() {
  uint16_t id = 0;
  for (int i = 0; i < 64; ++i) {
    id = static_cast<uint16_t>(random_());
    if (!by_id_.contains(id)) break;
  }
  return id;
}

void Forwarder::resolve(const Name& name, uint16_t qtype, uint16_t qclass, bool dnssec_ok,
                        bool checking_disabled, const std::string& key, Done done) {
  if (upstreams_.empty()) {
    ++counters_.failures;
    asio::post(io_, [done = std::move(done)] { done(nullptr); });
    return;
  }
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    it->second->waiters.push_back(std::move(done));
    return;
  }
  auto p = std::make_shared<Pending>();
  p->key = key;
  p->name = name;
  p->qtype = qtype;
  p->qclass = qclass;
  p->waiters.push_back(std::move(done));
  p->upstream = next_++ % upstreams_.size();
  std::array<uint8_t, kHeaderSize + kMaxNameSize + 4 + kOptRecordSize> buf;
  MessageWriter w(buf.data(), buf.size());
  w.header(0, static_cast<uint16_t>(flag::kRD | (checking_disabled ? flag::kCD : 0)));
  w.set_edns(kAdvertisedUdpSize, dnssec_ok);
  w.question(name.wire(), qtype, qclass);
  p->query.assign(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(w.finish()));
  by_key_.emplace(key, p);
  send(p);
}

void Forwarder::send(const std::shared_ptr<Pending>& p) {
  p->id = fresh_id();
  put16(p->query.data(), p->id);
  ++p->stage;
  p->tcp = false;
  by_id_[p->id] = p;
  ++counters_.sent;
  boost::system::error_code ec;
  upstreams_[p->upstream]->socket.send(asio::buffer(p->query), 0, ec);
  if (ec) {
    next_upstream(p);
    return;
  }
  deadlines_.push_back({Clock::now() + timeout_, p, p->stage});
  arm_timer();
}

void Forwarder::next_upstream(const std::shared_ptr<Pending>& p) {
  if (auto it = by_id_.find(p->id); it != by_id_.end() && it->second == p) by_id_.erase(it);
  if (++p->tried >= upstreams_.size()) {
    ++counters_.failures;
    complete(p, nullptr);
    return;
  }
  p->upstream = (p->upstream + 1) % upstreams_.size();
  send(p);
}

void Forwarder::complete(const std::shared_ptr<Pending>& p, std::shared_ptr<const CachedResponse> answer) {
  if (auto it = by_id_.find(p->id); it != by_id_.end() && it->second == p) by_id_.erase(it);
  if (auto it = by_key_.find(p->key); it != by_key_.end() && it->second == p) by_key_.erase(it);
  ++p->stage;
  if (answer) cache_.put(p->key, answer, Clock::now());
  auto waiters = std::move(p->waiters);
  for (auto& done : waiters) done(answer);
}

void Forwarder::receive(Upstream& u) {
  u.socket.async_receive(asio::buffer(u.buffer),
                         [this, &u, alive = alive_](boost::system::error_code ec, size_t n) {
                           if (!*alive || ec == asio::error::operation_aborted) return;
                           if (ec == asio::error::connection_refused) {
                             // Nothing listens there (ICMP port unreachable): every question waiting on it
                             // moves on.
                             std::vector<std::shared_ptr<Pending>> stuck;
                             for (const auto& [id, p] : by_id_)
                               if (p->upstream == u.index && !p->tcp) stuck.push_back(p);
                             for (const auto& p : stuck) next_upstream(p);
                           } else if (!ec) {
                             on_datagram(u, n);
                           }
                           if (u.socket.is_open()) receive(u);
                         });
}

void Forwarder::on_datagram(Upstream& u, size_t size) {
  if (size < kHeaderSize) return;
  auto it = by_id_.find(get16(u.buffer.data()));
  if (it == by_id_.end() || it->second->upstream != u.index || it->second->tcp) return;
  accept(std::shared_ptr<Pending>(it->second), {u.buffer.data(), size}, false);
}

bool Forwarder::accept(const std::shared_ptr<Pending>& p, std::span<const uint8_t> reply, bool tcp) {
  auto msg = parse_message(reply);
  if (!msg || !(msg->flags & flag::kQR) || msg->id != p->id || msg->questions.size() != 1) return false;
  const Question& q = msg->questions.front();
  if (!names_equal(q.name.wire(), p->name.wire()) || q.type != p->qtype || q.cls != p->qclass) return false;
  if (msg->truncated() && !tcp) {
    ++counters_.truncated;
    over_tcp(p);
    return true;
  }
  complete(p, CachedResponse::from_upstream(*msg, cache_.max_ttl(), Clock::now()));
  return true;
}

void Forwarder::over_tcp(const std::shared_ptr<Pending>& p) {
  if (auto it = by_id_.find(p->id); it != by_id_.end() && it->second == p) by_id_.erase(it);
  ++p->stage;
  p->tcp = true;
  ++counters_.sent;
  struct Exchange {
    explicit Exchange(asio::io_context& io) : socket(io), timer(io) {}
    asio::ip::tcp::socket socket;
    asio::steady_timer timer;
    std::vector<uint8_t> out, in;
    std::array<uint8_t, 2> length{};
  };
  auto x = std::make_shared<Exchange>(io_);
  x->out.resize(2);
  put16(x->out.data(), static_cast<uint16_t>(p->query.size()));
  x->out.insert(x->out.end(), p->query.begin(), p->query.end());
  const uint32_t stage = p->stage;
  auto alive = alive_;
  auto give_up = [this, p, stage, alive, x] {
    boost::system::error_code ignored;
    x->socket.close(ignored);
    x->timer.cancel();
    if (*alive && p->stage == stage) next_upstream(p);
  };
  x->timer.expires_after(timeout_);
  x->timer.async_wait([x, alive](boost::system::error_code ec) {
    boost::system::error_code ignored;
    if (!ec && *alive) x->socket.close(ignored);  // the exchange's handlers then give up
  });
  const auto& udp = upstreams_[p->upstream]->endpoint;
  const asio::ip::tcp::endpoint ep(udp.address(), udp.port());
  x->socket.async_connect(ep, [this, x, p, stage, alive, give_up](boost::system::error_code ec) {
    if (!*alive) return;
    if (ec) return give_up();
    asio::async_write(x->socket, asio::buffer(x->out), [this, x, p, stage, alive, give_up](auto ec, size_t) {
      if (!*alive) return;
      if (ec) return give_up();
      asio::async_read(x->socket, asio::buffer(x->length),
                       [this, x, p, stage, alive, give_up](auto ec, size_t) {
                         if (!*alive) return;
                         if (ec) return give_up();
                         x->in.resize(get16(x->length.data()));
                         asio::async_read(x->socket, asio::buffer(x->in),
                                          [this, x, p, stage, alive, give_up](auto ec, size_t) {
                                            if (!*alive) return;
                                            if (ec || p->stage != stage || !accept(p, x->in, true))
                                              return give_up();
                                            boost::system::error_code ignored;
                                            x->timer.cancel();
                                            x->socket.close(ignored);
                                          });
                       });
    });
  });
}

void Forwarder::arm_timer() {
  if (timer_armed_ || deadlines_.empty()) return;
  timer_armed_ = true;
  timer_.expires_at(deadlines_.front().at);
  timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (!*alive || ec == asio::error::operation_aborted) return;
    on_timer();
  });
}

void Forwarder::on_timer() {
  timer_armed_ = false;
  const auto now = Clock::now();
  while (!deadlines_.empty() && deadlines_.front().at <= now) {
    Deadline d = std::move(deadlines_.front());
    deadlines_.pop_front();
    if (auto p = d.pending.lock(); p && p->stage == d.stage && !p->tcp) next_upstream(p);
  }
  arm_timer();
}

}  // namespace ukube::dns
