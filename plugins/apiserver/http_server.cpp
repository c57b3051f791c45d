#include "http_server.h"
#include "ukube/controller/worker_pool.h"

#include <spdlog/spdlog.h>

#include <openssl/ssl.h>
#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "api_handler.h"
#include "ukube/errors.h"
#include "ukube/net/event_gate.h"
#include "ukube/net/tls_peer.h"

// The one translation unit that includes Asio and Beast. A connection is a Session on a
// strand of the shared io_context; requests are read one at a time (so pipelined
// requests wait in the read buffer), handled synchronously by ApiHandler, and answered
// with one gather write of the stored objects' bytes. Watches stream chunks from
// RawWatch::poll(), woken by on_ready(), so they hold no thread.
namespace ukube::apiserver {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;
using boost::system::error_code;

// Go's servers allow 1 MiB of headers; bearer tokens and long selectors fit well below this.
// It must stay under 64 KiB: Beast refuses (by throwing) to store a single field longer than
// that, and a header block within the limit cannot hold one.
constexpr size_t kHeaderLimit = 63 * 1024;
// Bytes a client may send while it watches before we call it misbehaving.
constexpr size_t kWatchReadSlack = 64 * 1024;
constexpr size_t kWatchBatch = 256;
// RawWatch reports bookmarks only when polled; this is how often an idle watch is polled.
constexpr std::chrono::seconds kBookmarkPoll{5};

struct Shared {
  Settings settings;
  ApiHandler* handler = nullptr;  // set by start()
  controller::WorkerPool* workers = nullptr;
  std::shared_ptr<spdlog::logger> logger;
  std::shared_ptr<net::EventGate> gate = std::make_shared<net::EventGate>();

  // Null: plain HTTP. Replaced whole when certificates rotate; a connection keeps the
  // context it was accepted with.
  std::shared_ptr<ssl::context> tls() const {
    std::lock_guard lock(tls_mu);
    return tls_context;
  }
  mutable std::mutex tls_mu{};
  std::shared_ptr<ssl::context> tls_context = nullptr;
};

// A TLS server context as upstream's API server configures it: TLS 1.2 and later, AEAD
// ciphers with forward secrecy only, client certificates requested but not required
// (the authenticators decide; a bad certificate earns a 401, not a broken handshake).
std::shared_ptr<ssl::context> make_tls_context(const TlsFiles& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  auto fail = [](const std::filesystem::path& file, const char* what, const boost::system::system_error& e) {
    throw std::runtime_error("cannot use " + file.string() + " as the API server's " + what + ": " +
                             e.code().message() +
                             "; fix or delete the file (a fresh one is issued at start)");
  };
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  SSL_CTX_set_cipher_list(ctx->native_handle(),
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  try {
    ctx->use_certificate_chain_file(files.certificate.string());
  } catch (const boost::system::system_error& e) {
    fail(files.certificate, "serving certificate", e);
  }
  try {
    ctx->use_private_key_file(files.key.string(), ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    fail(files.key, "serving key", e);
  }
  if (!files.client_ca.empty()) {
    try {
      ctx->load_verify_file(files.client_ca.string());
    } catch (const boost::system::system_error& e) {
      fail(files.client_ca, "client CA", e);
    }
    // Tells clients which CA their certificate must come from.
    SSL_CTX_set_client_CA_list(ctx->native_handle(), SSL_load_client_CA_file(files.client_ca.c_str()));
    net::ask_for_client_certificates(ctx->native_handle(), "ukube-apiserver");
  }
  return ctx;
}

// The client certificate's identity, when it presented one.
void read_peer(TlsStream& stream, HttpRequest& into) {
  net::PeerCertificate peer = net::peer_certificate(stream.native_handle());
  into.client_cert_common_name = std::move(peer.common_name);
  into.client_cert_organizations = std::move(peer.organizations);
  into.client_cert_unverified = peer.unverified;
}

// The handshake headers of an Upgrade request, which a proxied request carries on.
bool is_upgrade_header(std::string_view name) {
  return beast::iequals(name, "Connection") || beast::iequals(name, "Upgrade") ||
         (name.size() > 14 && beast::iequals(name.substr(0, 14), "Sec-WebSocket-")) ||
         beast::iequals(name, "X-Stream-Protocol-Version");
}

std::string status_line(int status) {
  auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason.data(), reason.size()) + "\r\n";
}

std::string hex(size_t v) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), digits[v & 15]);
    v >>= 4;
  } while (v);
  return out;
}

// What the connection code needs from a transport beyond reading and writing. The TLS
// transport (an ssl::stream over the socket) adds its overloads here and a handshake
// before the first read.
void shut(tcp::socket& s, bool graceful) {
  error_code ignored;
  s.shutdown(graceful ? tcp::socket::shutdown_send : tcp::socket::shutdown_both, ignored);
  s.close(ignored);
}
// No close_notify: clients treat the TCP close as the end, and waiting for theirs
// would hold the connection for nothing.
void shut(TlsStream& s, bool graceful) {
  shut(s.next_layer(), graceful);
}

bool is_open(const tcp::socket& s) {
  return s.is_open();
}
bool is_open(const TlsStream& s) {
  return s.next_layer().is_open();
}

std::string remote_of(const tcp::socket& s) {
  error_code ec;
  auto endpoint = s.remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}
std::string remote_of(const TlsStream& s) {
  return remote_of(s.next_layer());
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const Shared& shared)
      : stream_(std::move(stream)),
        shared_(shared),
        deadline_(stream_.get_executor()),
        watch_timer_(stream_.get_executor()),
        bookmark_timer_(stream_.get_executor()) {}

  void start() {
    remote_ = remote_of(stream_);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      arm(shared_.settings.idle_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = self()](error_code ec) {
        self->disarm();
        if (ec) return self->close(false);
        read_peer(self->stream_, self->peer_);
        self->read_header();
      });
    } else {
      read_header();
    }
  }

 private:
  std::shared_ptr<Session> self() { return this->shared_from_this(); }

  // One deadline bounds whatever the connection is doing now: reading a request (idle
  // timeout) or writing a response or a watch chunk (request timeout). Arming moves the
  // deadline and disarming clears it; the timer is only re-armed when the deadline comes
  // earlier than its expiry, since a timer-queue insert and cancel per request would cost
  // more than the request. An expiry before the deadline just waits again. The
  // generation tells a superseded wait from the live one.
  void arm(std::chrono::seconds limit) {
    deadline_at_ = std::chrono::steady_clock::now() + limit;
    if (!deadline_waiting_ || deadline_.expiry() > deadline_at_) wait_for_deadline();
  }
  void disarm() { deadline_at_ = kNoDeadline; }
  void wait_for_deadline() {
    deadline_waiting_ = true;
    ++deadline_generation_;
    deadline_.expires_at(deadline_at_);
    deadline_.async_wait([self = self(), generation = deadline_generation_](error_code ec) {
      if (generation != self->deadline_generation_) return;
      self->deadline_waiting_ = false;
      if (ec || self->closed_ || self->deadline_at_ == kNoDeadline) return;
      if (std::chrono::steady_clock::now() >= self->deadline_at_) return self->close(false);
      self->wait_for_deadline();
    });
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(shared_.settings.max_body_bytes);
    arm(shared_.settings.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = self()](error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    auto& message = parser_->get();
    if (auto length = parser_->content_length(); length && *length > shared_.settings.max_body_bytes)
      return on_read_error(http::error::body_limit);
    if (beast::iequals(message[http::field::expect], "100-continue")) {
      // curl and some libraries wait for this before sending a body.
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue), [self = self()](error_code ec, size_t) {
        if (ec) return self->close(false);
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return serve();
    http::async_read(stream_, buffer_, *parser_, [self = self()](error_code ec, size_t) {
      if (ec) return self->on_read_error(ec);
      self->serve();
    });
  }

  void on_read_error(error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || !is_open(stream_))
      return close(false);
    if (ec == http::error::header_limit)
      return send_error(ApiError(
          431, "RequestHeaderFieldsTooLarge",
          "Request header fields too large: the limit is " + std::to_string(kHeaderLimit) + " bytes"));
    if (ec == http::error::body_limit)
      return send_error(
          ApiError(413, "RequestEntityTooLarge",
                   "Request entity too large: limit is " + std::to_string(shared_.settings.max_body_bytes)));
    send_error(ApiError::bad_request("malformed HTTP request: " + ec.message()));
  }

  void send_error(const ApiError& error) {
    // The rest of the request is unread, so the connection cannot carry another one.
    keep_alive_ = false;
    head_request_ = false;
    unread_request_ = true;
    send(ApiHandler::error_response(error));
  }

  // After refusing a request we did not read to the end (431, 413, 400): stop sending,
  // then read and drop what the client is still sending for a while before closing.
  // Closing with unread data would reset the connection, and a client still writing
  // its request would never see the answer.
  void linger() {
    error_code ignored;
    raw_socket().shutdown(tcp::socket::shutdown_send, ignored);
    arm(std::chrono::seconds(5));
    drain();
  }
  void drain() {
    raw_socket().async_read_some(asio::buffer(drain_buffer_), [self = self()](error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->closed_ || self->drained_ > kMaxDrainBytes) return self->close(false);
      self->drain();
    });
  }
  tcp::socket& raw_socket() {
    if constexpr (std::is_same_v<Stream, tcp::socket>)
      return stream_;
    else
      return stream_.next_layer();
  }

  void serve() {
    disarm();
    auto& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.accept = std::string(message[http::field::accept]);
    request.content_type = std::string(message[http::field::content_type]);
    request.authorization = std::string(message[http::field::authorization]);
    request.user_agent = std::string(message[http::field::user_agent]);
    for (const auto& field : message) {
      std::string_view name = field.name_string();
      if (name.size() > 12 && boost::beast::iequals(name.substr(0, 12), "impersonate-")) {
        std::string lower(name);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.impersonation.emplace_back(std::move(lower), std::string(field.value()));
      }
    }
    if (!message[http::field::upgrade].empty())
      for (const auto& field : message)
        if (is_upgrade_header(field.name_string()))
          request.upgrade_headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    request.body = std::move(message.body());
    request.remote_address = remote_;
    request.client_cert_common_name = peer_.client_cert_common_name;
    request.client_cert_organizations = peer_.client_cert_organizations;
    request.client_cert_unverified = peer_.client_cert_unverified;
    keep_alive_ = message.keep_alive();
    head_request_ = message.method() == http::verb::head;
    if (head_request_) request.method = "GET";
    parser_.reset();
    // A read from memory is answered here: two thread hand-offs would cost more than it.
    if (ApiHandler::answers_at_once(request)) return respond(shared_.handler->handle(request));
    // Other handlers may block (a write waits for its fsync), so they run on the worker
    // pool and the event loops stay free for other connections and for watch streams.
    shared_.workers->post([self = self(), request = std::move(request)] {
      HttpResponse response = self->shared_.handler->handle(request);
      controller::WorkerPool::done_blocking();
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->respond(std::move(response)); });
    });
  }

  void respond(HttpResponse response) {
    if (closed_) return;
    if (response.watch) return start_watch(std::move(response));
    if (response.proxy) return start_proxy(std::move(response.proxy));
    send(std::move(response));
  }

  // Relaying to a kubelet, a pod or a Service's endpoint: connect (and for TLS, shake
  // hands), send the request on, then copy bytes both ways until either side is done. The
  // answer (a log stream, a page, or a protocol switch and WebSocket frames) reaches the
  // client as the other side wrote it.
  void start_proxy(std::unique_ptr<ProxyPlan> plan) {
    proxy_ = std::move(plan);
    from_client_.resize(16 * 1024);
    from_upstream_.resize(16 * 1024);
    if (proxy_->transport == ProxyPlan::Transport::Plain) {
      plain_upstream_.emplace(stream_.get_executor());
    } else {
      auto tls = std::make_shared<ssl::context>(ssl::context::tls_client);
      try {
        SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
        if (proxy_->transport == ProxyPlan::Transport::VerifiedTls) {
          tls->add_certificate_authority(asio::buffer(proxy_->ca_pem));
          tls->use_certificate_chain(asio::buffer(proxy_->certificate_pem));
          tls->use_private_key(asio::buffer(proxy_->key_pem), ssl::context::pem);
          tls->set_verify_mode(ssl::verify_peer);
        } else {
          tls->set_verify_mode(ssl::verify_none);
        }
      } catch (const boost::system::system_error& e) {
        return send_error(
            ApiError::internal(std::string("cannot use the kubelet client certificate: ") + e.what()));
      }
      upstream_tls_ = std::move(tls);
      upstream_.emplace(stream_.get_executor(), *upstream_tls_);
      if (proxy_->transport == ProxyPlan::Transport::VerifiedTls)
        upstream_->set_verify_callback(ssl::host_name_verification(proxy_->host));
      error_code ec;
      asio::ip::make_address(proxy_->host, ec);
      if (ec) SSL_set_tlsext_host_name(upstream_->native_handle(), proxy_->host.c_str());
    }
    arm(shared_.settings.request_timeout);
    resolver_.emplace(stream_.get_executor());
    resolver_->async_resolve(
        proxy_->host, std::to_string(proxy_->port),
        [self = self()](error_code ec, tcp::resolver::results_type found) {
          if (ec) return self->proxy_failed(ec);
          tcp::socket& socket =
              self->plain_upstream_ ? *self->plain_upstream_ : self->upstream_->next_layer();
          asio::async_connect(socket, found, [self](error_code ec, const tcp::endpoint&) {
            if (ec) return self->proxy_failed(ec);
            if (self->plain_upstream_) return self->send_upstream_head();
            self->upstream_->async_handshake(ssl::stream_base::client, [self](error_code ec) {
              if (ec) return self->proxy_failed(ec);
              self->send_upstream_head();
            });
          });
        });
  }

  // Calls `f` with the stream to the other side, whichever kind it is.
  template <class F>
  void with_upstream(F&& f) {
    if (plain_upstream_)
      f(*plain_upstream_);
    else
      f(*upstream_);
  }

  void send_upstream_head() {
    const ProxyPlan& plan = *proxy_;
    std::string head = plan.method + " " + plan.target + " HTTP/1.1\r\nHost: " + plan.host + ":" +
                       std::to_string(plan.port) + "\r\nUser-Agent: ukube-apiserver\r\n";
    for (const auto& [name, value] : plan.headers) head += name + ": " + value + "\r\n";
    if (!plan.body.empty() || (plan.method != "GET" && plan.method != "HEAD" && plan.method != "DELETE"))
      head += "Content-Length: " + std::to_string(plan.body.size()) + "\r\n";
    if (!plan.upgrade) head += "Connection: close\r\n";
    proxy_head_ = head + "\r\n" + plan.body;
    with_upstream([self = self()](auto& upstream) {
      asio::async_write(upstream, asio::buffer(self->proxy_head_), [self](error_code ec, size_t) {
        if (ec) return self->proxy_failed(ec);
        self->disarm();
        self->relay_to_client();
        // Bytes the client sent after its request (the first WebSocket frames) were read
        // with it; they go first.
        if (self->buffer_.size() > 0) {
          self->to_upstream_ = beast::buffers_to_string(self->buffer_.data());
          self->buffer_.consume(self->buffer_.size());
          self->with_upstream([self](auto& upstream) {
            asio::async_write(upstream, asio::buffer(self->to_upstream_), [self](error_code ec, size_t) {
              if (ec) return self->close(false);
              self->relay_to_upstream();
            });
          });
        } else {
          self->relay_to_upstream();
        }
      });
    });
  }

  void proxy_failed(error_code ec) {
    disarm();
    send_error(ApiError(
        500, "InternalError",
        "error dialing backend: " + proxy_->host + ":" + std::to_string(proxy_->port) + ": " + ec.message()));
  }

  void relay_to_upstream() {
    stream_.async_read_some(asio::buffer(from_client_), [self = self()](error_code ec, size_t n) {
      if (ec) return self->close(false);
      self->with_upstream([self, n](auto& upstream) {
        asio::async_write(upstream, asio::buffer(self->from_client_.data(), n),
                          [self](error_code ec, size_t) {
                            if (ec) return self->close(false);
                            self->relay_to_upstream();
                          });
      });
    });
  }

  void relay_to_client() {
    with_upstream([self = self()](auto& upstream) {
      upstream.async_read_some(asio::buffer(self->from_upstream_), [self](error_code ec, size_t n) {
        if (ec) return self->close(true);
        asio::async_write(self->stream_, asio::buffer(self->from_upstream_.data(), n),
                          [self](error_code ec, size_t) {
                            if (ec) return self->close(false);
                            self->relay_to_client();
                          });
      });
    });
  }

  // Upstream's JSON encoder ends every document with a newline, and clients compare
  // bodies (error texts above all) with it.
  static void end_json_with_newline(HttpResponse& r) {
    static const store::Bytes kNewline = store::make_bytes("\n");
    const auto& pieces = r.body.pieces();
    if (!r.content_type.starts_with("application/json") || pieces.empty() || pieces.back()->empty()) return;
    if (pieces.back()->back() != '\n') r.body.append(kNewline);
  }

  std::string headers_of(const HttpResponse& r) const {
    std::string head = status_line(r.status);
    head += "Content-Type: " + r.content_type + "\r\n";
    bool cache_control = false;
    for (const auto& [name, value] : r.headers) {
      head += name + ": " + value + "\r\n";
      cache_control = cache_control || beast::iequals(name, "Cache-Control");
    }
    if (!cache_control) head += "Cache-Control: no-cache, private\r\n";
    return head;
  }

  void send(HttpResponse response) {
    response_ = std::move(response);
    end_json_with_newline(response_);
    head_ = headers_of(response_);
    head_ += "Content-Length: " + std::to_string(response_.body.size()) + "\r\n";
    if (!keep_alive_) head_ += "Connection: close\r\n";
    head_ += "\r\n";
    buffers_.clear();
    buffers_.push_back(asio::buffer(head_));
    if (!head_request_)
      for (const auto& piece : response_.body.pieces()) buffers_.push_back(asio::buffer(*piece));
    arm(shared_.settings.request_timeout);
    asio::async_write(stream_, buffers_, [self = self()](error_code ec, size_t) {
      self->disarm();
      self->response_ = HttpResponse();
      if (ec) return self->close(false);
      if (!self->keep_alive_) return self->unread_request_ ? self->linger() : self->close(true);
      self->read_header();
    });
  }

  void start_watch(HttpResponse response) {
    watch_ = std::move(response.watch);
    response.headers.emplace_back("Transfer-Encoding", "chunked");
    head_ = headers_of(response) + "\r\n";
    auto executor = stream_.get_executor();
    watch_->watch->on_ready([weak = this->weak_from_this(), executor, gate = shared_.gate] {
      gate->post(executor, [weak] {
        if (auto s = weak.lock()) s->pump();
      });
    });
    if (watch_->timeout.count() > 0) {
      watch_timer_.expires_after(watch_->timeout);
      watch_timer_.async_wait([self = self()](error_code ec) {
        if (!ec) self->finish_watch();
      });
    }
    if (watch_->bookmarks) tick_bookmarks();
    watch_for_hangup();
    write_watch({asio::buffer(head_)});
  }

  void tick_bookmarks() {
    bookmark_timer_.expires_after(kBookmarkPoll);
    bookmark_timer_.async_wait([self = self()](error_code ec) {
      if (ec || !self->watch_) return;
      self->pump();
      self->tick_bookmarks();
    });
  }

  // A watching client sends nothing until the watch ends: a read that fails means it hung
  // up, and bytes that arrive are its next request, read once the watch is over.
  void watch_for_hangup() {
    if (buffer_.size() > kWatchReadSlack) return close(false);
    hangup_read_pending_ = true;
    stream_.async_read_some(buffer_.prepare(4096), [self = self()](error_code ec, size_t n) {
      self->hangup_read_pending_ = false;
      if (ec) return self->close(false);
      self->buffer_.commit(n);
      if (self->watch_ended_) return self->next_request_after_watch();
      // Once the last chunk is on its way, bytes are the next request, sent by a client
      // that has read it (this read can complete before the write's own completion runs):
      // the end of the watch takes them up. Before that, a request pipelined behind it.
      if (self->finishing_) return;
      self->pipelined_ = true;
      self->watch_for_hangup();
    });
  }

  // The connection outlives the watch, as upstream's does: one connection can serve a
  // watch and then a GET. The read the watch left pending takes the next request's first
  // bytes; the idle timeout bounds the wait for them.
  void keep_alive_after_watch() {
    // Bytes sent before the watch ended are a request pipelined behind it, which clients
    // do not do: close, as before.
    if (pipelined_) return close(true);
    watch_timer_.cancel();
    bookmark_timer_.cancel();
    watch_.reset();
    finishing_ = false;
    watch_ended_ = true;
    arm(shared_.settings.idle_timeout);
    if (!hangup_read_pending_) next_request_after_watch();
  }
  void next_request_after_watch() {
    watch_ended_ = false;
    read_header();
  }

  void write_watch(std::vector<asio::const_buffer> buffers) {
    writing_ = true;
    buffers_ = std::move(buffers);
    arm(shared_.settings.request_timeout);
    asio::async_write(stream_, buffers_, [self = self()](error_code ec, size_t) {
      self->writing_ = false;
      self->disarm();
      self->chunk_ = Body();
      if (ec) return self->close(false);
      if (self->finishing_) return self->write_last_chunk();
      self->pump();
    });
  }

  // Drains what the watch has; when it has nothing, its on_ready() callback calls again.
  void pump() {
    if (!watch_ || writing_ || finishing_ || closed_) return;
    std::vector<RawWatchEvent> events = watch_->watch->poll(kWatchBatch);
    if (events.empty()) {
      if (watch_->watch->done()) finish_watch();
      return;
    }
    chunk_ = Body();
    for (const auto& e : events) watch_->encode(e, chunk_);
    chunk_head_ = hex(chunk_.size()) + "\r\n";
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(chunk_.pieces().size() + 2);
    buffers.push_back(asio::buffer(chunk_head_));
    for (const auto& piece : chunk_.pieces()) buffers.push_back(asio::buffer(*piece));
    buffers.push_back(asio::buffer(kCrlf, 2));
    write_watch(std::move(buffers));
  }

  void finish_watch() {
    if (finishing_ || closed_) return;
    finishing_ = true;
    if (!writing_) write_last_chunk();
  }

  void write_last_chunk() {
    if (watch_) watch_->watch->stop();
    static const std::string kLast = "0\r\n\r\n";
    arm(shared_.settings.request_timeout);
    asio::async_write(stream_, asio::buffer(kLast), [self = self()](error_code ec, size_t) {
      self->disarm();
      if (ec || !self->keep_alive_ || self->closed_) return self->close(!ec);
      self->keep_alive_after_watch();
    });
  }

  void close(bool graceful) {
    if (closed_) return;
    closed_ = true;
    disarm();
    deadline_.cancel();
    watch_timer_.cancel();
    bookmark_timer_.cancel();
    // Unregisters from the bus now rather than when the last handler lets go of us.
    watch_.reset();
    if (upstream_) shut(*upstream_, false);
    if (plain_upstream_) shut(*plain_upstream_, false);
    if (resolver_) resolver_->cancel();
    shut(stream_, graceful);
  }

  static constexpr char kCrlf[] = "\r\n";

  Stream stream_;
  const Shared& shared_;
  std::string remote_;
  HttpRequest peer_;  // only the client certificate fields: the same for every request
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  static constexpr auto kNoDeadline = std::chrono::steady_clock::time_point::max();
  asio::steady_timer deadline_;
  std::chrono::steady_clock::time_point deadline_at_ = kNoDeadline;
  bool deadline_waiting_ = false;
  uint64_t deadline_generation_ = 0;
  bool keep_alive_ = true;
  bool unread_request_ = false;  // the request was refused before it was read to the end
  static constexpr size_t kMaxDrainBytes = 16 * 1024 * 1024;
  std::array<char, 16 * 1024> drain_buffer_{};
  size_t drained_ = 0;
  bool head_request_ = false;
  bool closed_ = false;

  HttpResponse response_;  // keeps the body's pieces alive while they are written
  std::string head_;
  std::vector<asio::const_buffer> buffers_;

  std::unique_ptr<WatchPlan> watch_;
  asio::steady_timer watch_timer_;
  asio::steady_timer bookmark_timer_;
  Body chunk_;
  std::string chunk_head_;
  bool writing_ = false;
  bool finishing_ = false;
  bool hangup_read_pending_ = false;
  bool watch_ended_ = false;  // the next request may start in the pending hangup read
  bool pipelined_ = false;    // bytes came while the watch still ran

  std::unique_ptr<ProxyPlan> proxy_;
  std::shared_ptr<ssl::context> upstream_tls_;  // outlives upstream_
  std::optional<TlsStream> upstream_;
  std::optional<tcp::socket> plain_upstream_;  // instead of upstream_ for plain transport
  std::optional<tcp::resolver> resolver_;
  std::string proxy_head_;
  std::string to_upstream_;
  std::vector<char> from_client_, from_upstream_;  // sized only once a relay starts
};

// Looks at the first byte of a connection to the TLS port: a TLS handshake starts with
// 0x16; anything else is a plain-HTTP client, which gets Go's answer and no data.
class TlsSniffer : public std::enable_shared_from_this<TlsSniffer> {
 public:
  TlsSniffer(tcp::socket socket, std::shared_ptr<ssl::context> tls, const Shared& shared)
      : socket_(std::move(socket)), tls_(std::move(tls)), shared_(shared), timer_(socket_.get_executor()) {}

  void start() {
    timer_.expires_after(shared_.settings.idle_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) shut(self->socket_, false);
    });
    socket_.async_receive(asio::buffer(first_), tcp::socket::message_peek,
                          [self = shared_from_this()](error_code ec, size_t n) { self->on_peek(ec, n); });
  }

 private:
  void on_peek(error_code ec, size_t n) {
    timer_.cancel();
    if (ec || n == 0) return shut(socket_, false);
    if (static_cast<unsigned char>(first_[0]) == 0x16) {
      std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket_), *tls_), shared_)->start();
      return;
    }
    static const std::string kRefusal =
        "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
        "Client sent an HTTP request to an HTTPS server.\n";
    asio::async_write(socket_, asio::buffer(kRefusal),
                      [self = shared_from_this()](error_code, size_t) { shut(self->socket_, true); });
  }

  tcp::socket socket_;
  std::shared_ptr<ssl::context> tls_;
  const Shared& shared_;
  asio::steady_timer timer_;
  char first_[1] = {};
};

}  // namespace

struct HttpServer::Impl {
  Impl(const Settings& settings, std::shared_ptr<spdlog::logger> logger)
      : shared{.settings = settings, .logger = std::move(logger)},
        io(std::make_unique<asio::io_context>(static_cast<int>(settings.threads))),
        acceptor(std::make_unique<tcp::acceptor>(*io)),
        retry(std::make_unique<asio::steady_timer>(*io)),
        workers(std::make_unique<controller::WorkerPool>(worker_count(settings), settings.max_in_flight)) {
    shared.workers = workers.get();
  }

  // Requests mostly wait (for fsync, for locks) rather than compute; the pool starts with
  // a few more workers than cores and grows while they all wait.
  static size_t worker_count(const Settings& s) { return std::max<size_t>(4, 4 * s.threads); }

  void accept() {
    acceptor->async_accept(asio::make_strand(*io), [this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (ec) {
        // Out of file descriptors and the like: back off instead of spinning.
        if (shared.logger) shared.logger->warn("accept failed: {}", ec.message());
        retry->expires_after(std::chrono::milliseconds(100));
        retry->async_wait([this](error_code wait) {
          if (!wait) accept();
        });
        return;
      }
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (auto tls = shared.tls())
        std::make_shared<TlsSniffer>(std::move(socket), std::move(tls), shared)->start();
      else
        std::make_shared<Session<tcp::socket>>(std::move(socket), shared)->start();
      accept();
    });
  }

  Shared shared;
  std::unique_ptr<asio::io_context> io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> retry;
  // Requests that may block run here. A write holds its thread until its group commit is
  // on disk, and the store can only batch the writes that wait together, so a fixed
  // handful of threads would cap writes at a handful per fsync: the pool grows up to the
  // in-flight limit, and a handler calls done_blocking() once its write is durable.
  std::unique_ptr<controller::WorkerPool> workers;
  std::vector<std::thread> threads;
};

HttpServer::HttpServer(const Settings& settings, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(settings, std::move(logger))) {}

HttpServer::~HttpServer() {
  stop();
}

uint16_t HttpServer::listen() {
  const Settings& s = impl_->shared.settings;
  const std::string where = s.host + ":" + std::to_string(s.port);
  try {
    error_code ec;
    asio::ip::address address = asio::ip::make_address(s.host, ec);
    tcp::endpoint endpoint;
    if (!ec) {
      endpoint = tcp::endpoint(address, s.port);
    } else {
      tcp::resolver resolver(*impl_->io);
      endpoint = *resolver.resolve(s.host, std::to_string(s.port)).begin();
    }
    tcp::acceptor& acceptor = *impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + where + ": " + e.code().message() +
                             "; change `listen` in the apiserver config or free the port");
  }
}

void HttpServer::use_tls(const TlsFiles& files) {
  auto ctx = make_tls_context(files);
  std::lock_guard lock(impl_->shared.tls_mu);
  impl_->shared.tls_context = std::move(ctx);
}

void HttpServer::start(ApiHandler& handler) {
  impl_->shared.handler = &handler;
  impl_->accept();
  for (unsigned i = 0; i < impl_->shared.settings.threads; ++i)
    impl_->threads.emplace_back([io = impl_->io.get(), log = impl_->shared.logger] {
      // A handler that throws loses its connection, never the daemon.
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          if (log) log->error("a connection handler failed and its connection was dropped: {}", e.what());
        }
      }
    });
}

void HttpServer::stop() {
  if (!impl_ || !impl_->io) return;
  impl_->shared.gate->close();
  asio::post(*impl_->io, [acceptor = impl_->acceptor.get()] {
    error_code ignored;
    acceptor->close(ignored);
  });
  impl_->io->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // Requests being handled finish (their responses are posted to the stopped loop and
  // dropped with it); queued ones are dropped.
  impl_->workers->stop();
  impl_->workers.reset();
  // Destroying the context destroys every pending handler and with them every session,
  // its socket and its watch.
  impl_->retry.reset();
  impl_->acceptor.reset();
  impl_->io.reset();
}

}  // namespace ukube::apiserver
