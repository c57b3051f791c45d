#include "kubelet_server.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <chrono>
#include <deque>
#include <stdexcept>
#include <thread>
#include <vector>

#include "container_logs.h"
#include "port_forward.h"
#include "remote_command.h"
#include "stream_protocols.h"
#include "stream_server.h"
#include "ukube/errors.h"
#include "ukube/net/event_gate.h"
#include "ukube/net/tls_peer.h"
#include "ukube/runtime/driver.h"

// The kubelet server's requests, with Asio and Beast (stream_server.h; the upgraded
// port-forward connections are port_forward_server.cpp's). One event-loop thread serves
// every connection: requests are few (logs, exec, attach, port-forward) and their work is
// reading files and relaying bytes. A connection carries one request.
namespace ukube::kubelet {
namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

constexpr auto kFollowPoll = std::chrono::milliseconds(200);
constexpr int kRunningCheckEvery = 5;  // polls: whether a followed container still runs, once a second
// How often the backend samples usage (UsageSampler keeps its own pace; this only wakes it).
constexpr auto kHousekeeping = std::chrono::seconds(2);

std::shared_ptr<ssl::context> make_tls_context(const KubeletServerOptions& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  try {
    ctx->use_certificate_chain(asio::buffer(o.certificate_pem));
    ctx->use_private_key(asio::buffer(o.key_pem), ssl::context::pem);
    ctx->add_certificate_authority(asio::buffer(o.client_ca_pem));
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("kubelet server: unusable certificate or key: ") + e.what());
  }
  net::ask_for_client_certificates(ctx->native_handle(), "ukube-kubelet");
  return ctx;
}

// The client certificate's identity, when one was presented and verified.
void read_peer(TlsStream& stream, Credentials& into) {
  net::PeerCertificate peer = net::peer_certificate(stream.native_handle());
  into.client_cert_subject_cn = std::move(peer.common_name);
  into.client_cert_organizations = std::move(peer.organizations);
}

std::string bearer_token(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() || !beast::iequals(authorization.substr(0, 7), kBearer))
    return {};
  authorization.remove_prefix(kBearer.size());
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  return std::string(authorization);
}

// Upstream's kubelet authorizer: the subresource of nodes a path needs.
std::string subresource_for(const std::string& first_segment) {
  if (first_segment == "stats") return "stats";
  if (first_segment == "metrics") return "metrics";
  if (first_segment == "logs") return "log";
  if (first_segment == "spec") return "spec";
  return "proxy";
}

std::string verb_for(http::verb method) {
  switch (method) {
    case http::verb::post: return "create";
    case http::verb::put: return "update";
    case http::verb::patch: return "patch";
    case http::verb::delete_: return "delete";
    default: return "get";
  }
}

std::string status_head(int status, const std::string& content_type, bool chunked) {
  auto reason = http::obsolete_reason(static_cast<http::status>(status));
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason.data(), reason.size()) +
                     "\r\nContent-Type: " + content_type + "\r\nCache-Control: no-cache, private\r\n";
  if (chunked) head += "Transfer-Encoding: chunked\r\n";
  return head;
}

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

std::string query_value(const Query& query, std::string_view name) {
  for (const auto& [key, value] : query)
    if (key == name) return value;
  return {};
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Shared {
  KubeletServerOptions options;
  std::shared_ptr<net::EventGate> gate = std::make_shared<net::EventGate>();
  KubeletServerBackend* backend = nullptr;
  std::shared_ptr<spdlog::logger> log;
};

// `kubectl exec` and `attach`: the WebSocket channel protocol on one side, the runtime's
// stream session on the other. Runtime callbacks arrive on driver threads and are posted
// to this connection's strand, where every write is queued and sent in order.
class StreamBridge : public std::enable_shared_from_this<StreamBridge> {
 public:
  StreamBridge(TlsStream stream, std::string protocol, StreamTarget target, remote::StreamOptions options,
               bool exec, std::shared_ptr<net::EventGate> gate)
      : ws_(std::move(stream)),
        protocol_(std::move(protocol)),
        target_(std::move(target)),
        options_(std::move(options)),
        exec_(exec),
        gate_(std::move(gate)) {}

  void accept(http::request<http::string_body> request) {
    request_ = std::move(request);
    accept_websocket(ws_, request_, protocol_, [self = shared_from_this()](error_code ec) {
      if (ec) return;
      self->begin();
    });
  }

 private:
  void begin() {
    runtime::StreamRequest request;
    request.container_id = target_.container_id;
    request.cmd = options_.command;
    request.stdin_ = options_.stdin_;
    request.stdout_ = options_.stdout_;
    request.stderr_ = options_.stderr_;
    request.tty = options_.tty;
    std::weak_ptr<StreamBridge> weak = weak_from_this();
    auto executor = ws_.get_executor();
    auto post = [weak, executor, gate = gate_](std::string message, bool last) {
      gate->post(executor, [weak, message = std::move(message), last]() mutable {
        if (auto self = weak.lock()) self->send(std::move(message), last);
      });
    };
    runtime::StreamCallbacks callbacks;
    callbacks.on_stdout = [post](std::string_view data) {
      post(remote::frame(remote::kStdout, data), false);
    };
    callbacks.on_stderr = [post](std::string_view data) {
      post(remote::frame(remote::kStderr, data), false);
    };
    callbacks.on_exit = [post](int code) {
      post(remote::frame(remote::kError, remote::exit_status(code)), true);
    };
    try {
      session_ = exec_ ? target_.driver->exec(request, std::move(callbacks))
                       : target_.driver->attach(request, std::move(callbacks));
    } catch (const std::exception& e) {
      send(remote::frame(remote::kError, remote::failure_status(e.what())), true);
    }
    read();
  }

  void read() {
    ws_.async_read(incoming_, [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->finish();
      self->on_message();
      self->read();
    });
  }

  void on_message() {
    const std::string message = beast::buffers_to_string(incoming_.data());
    incoming_.consume(incoming_.size());
    if (message.empty() || !session_) return;
    const auto channel = static_cast<uint8_t>(message[0]);
    const std::string_view data = std::string_view(message).substr(1);
    if (channel == remote::kStdin) {
      session_->write_stdin(data);
    } else if (channel == remote::kResize) {
      if (auto size = remote::parse_resize(data)) session_->resize(size->first, size->second);
    } else if (channel == remote::kClose && !data.empty() &&
               static_cast<uint8_t>(data[0]) == remote::kStdin) {
      session_->close_stdin();
    }
  }

  void send(std::string message, bool last) {
    if (done_) return;
    queue_.push_back(std::move(message));
    closing_ = closing_ || last;
    if (!writing_) write_next();
  }

  void write_next() {
    if (queue_.empty()) {
      if (closing_ && !close_sent_) {
        close_sent_ = true;
        ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](error_code) {});
      }
      return;
    }
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](error_code ec, size_t) {
      self->writing_ = false;
      if (ec) return self->finish();
      self->queue_.pop_front();
      self->write_next();
    });
  }

  // The client went away or the close handshake is over: end the exec, or detach.
  void finish() {
    if (done_) return;
    done_ = true;
    queue_.clear();
    session_.reset();
  }

  websocket::stream<TlsStream> ws_;
  http::request<http::string_body> request_;  // the upgrade, until it is answered
  std::string protocol_;
  StreamTarget target_;
  remote::StreamOptions options_;
  bool exec_;
  std::shared_ptr<net::EventGate> gate_;
  std::unique_ptr<runtime::StreamSession> session_;
  beast::flat_buffer incoming_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool done_ = false;
};

// One connection: the TLS handshake, one request, and its answer, which for logs may be
// a stream that lasts as long as the container writes.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, ssl::context& tls, const Shared& shared)
      : stream_(std::move(socket), tls), shared_(shared), timer_(stream_.get_executor()) {}

  void start() {
    timer_.expires_after(kHandshakeTimeout);
    timer_.async_wait([weak = weak_from_this()](error_code ec) {
      if (auto self = weak.lock(); self && !ec && !self->handed_over_ && !self->streaming_) self->close();
    });
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
      if (ec) return self->close();
      read_peer(self->stream_, self->credentials_);
      self->parser_.header_limit(64 * 1024);
      self->parser_.body_limit(1024 * 1024);
      http::async_read(self->stream_, self->buffer_, self->parser_,
                       [self](error_code ec, size_t) { ec ? self->close() : self->serve(); });
    });
  }

 private:
  void serve() {
    timer_.cancel();
    auto& request = parser_.get();
    try {
      auto url = boost::urls::parse_origin_form(request.target());
      if (!url) throw ApiError::bad_request("malformed request target");
      std::vector<std::string> segments;
      for (auto s : url->segments()) segments.push_back(s);
      Query query;
      for (auto p : url->params()) query.emplace_back(p.key, p.value);
      if (segments.empty()) throw ApiError(404, "NotFound", "404 page not found");

      credentials_.bearer_token = bearer_token(request[http::field::authorization]);
      error_code ec;
      auto remote = stream_.next_layer().remote_endpoint(ec);
      if (!ec)
        credentials_.remote_address = remote.address().to_string() + ":" + std::to_string(remote.port());
      UserInfo user = shared_.backend->authenticate(credentials_);

      const bool forward_path = segments[0] == "portForward";
      const bool pod_path =
          forward_path || segments[0] == "containerLogs" || segments[0] == "exec" || segments[0] == "attach";
      if (forward_path && segments.size() != 3 && segments.size() != 4)
        throw ApiError(404, "NotFound",
                       "404 page not found: expected /portForward/<namespace>/<pod>[/<uid>]");
      if (pod_path && !forward_path && segments.size() != 4)
        throw ApiError(404, "NotFound",
                       "404 page not found: expected /" + segments[0] + "/<namespace>/<pod>/<container>");
      RequestAttributes attributes;
      attributes.user = user;
      attributes.verb = verb_for(request.method());
      attributes.resource = "nodes";
      attributes.subresource = subresource_for(segments[0]);
      const std::string named_node = query_value(query, "node");
      attributes.name =
          !pod_path && !named_node.empty()
              ? named_node
              : shared_.backend->node_for(pod_path ? segments[1] : "", pod_path ? segments[2] : "");
      shared_.backend->authorize(attributes);

      if (segments[0] == "healthz") return respond(200, "text/plain; charset=utf-8", "ok");
      if (segments.size() == 2 && segments[0] == "stats" && segments[1] == "summary")
        return respond(200, "application/json",
                       shared_.backend->stats_summary(attributes.name,
                                                      query_value(query, "only_cpu_and_memory") == "true"));
      if (segments.size() == 2 && segments[0] == "metrics" && segments[1] == "resource")
        return respond(200, "text/plain; version=0.0.4; charset=utf-8",
                       shared_.backend->resource_metrics(attributes.name));
      if (segments.size() == 1 && segments[0] == "metrics")
        return respond(200, "text/plain; version=0.0.4; charset=utf-8",
                       shared_.backend->kubelet_metrics(attributes.name));
      if (segments[0] == "containerLogs") return serve_logs(segments, query);
      if (segments[0] == "exec" || segments[0] == "attach") return serve_stream(segments, query, request);
      if (forward_path) return serve_port_forward(segments, request);
      throw ApiError(404, "NotFound", "404 page not found");
    } catch (const ApiError& e) {
      respond(e.code(), "application/json", e.status_json());
    } catch (const std::invalid_argument& e) {
      respond(400, "application/json", ApiError::bad_request(e.what()).status_json());
    } catch (const std::exception& e) {
      if (shared_.log) shared_.log->warn("kubelet server: {}: {}", std::string(request.target()), e.what());
      respond(500, "application/json", ApiError::internal(e.what()).status_json());
    }
  }

  void serve_logs(const std::vector<std::string>& segments, const Query& query) {
    LogOptions options = parse_log_options(query, now_ns());
    target_ = shared_.backend->log_target(segments[1], segments[2], segments[3], options.previous);
    // Only the live container's log grows.
    follow_ = options.follow && !options.previous;
    reader_ = std::make_unique<LogReader>(target_.path, options);
    streaming_ = true;
    std::string first = status_head(200, "text/plain", true) + "\r\n";
    std::string existing = reader_->read_existing();
    if (!existing.empty()) first += chunk(existing);
    watch_for_hangup();
    write(std::move(first));
  }

  void write(std::string data) {
    out_ = std::move(data);
    asio::async_write(stream_, asio::buffer(out_), [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->close();
      if (self->finished_) return self->close();
      self->next_log_step();
    });
  }

  void next_log_step() {
    if (!follow_ || reader_->exhausted()) return end_stream();
    timer_.expires_after(kFollowPoll);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->closed_) return;
      std::string more = self->reader_->read_appended();
      if (!more.empty()) return self->write(chunk(more));
      if (++self->idle_polls_ % kRunningCheckEvery == 0 && !self->target_.running()) {
        // It stopped: what it wrote last is read before the stream ends.
        more = self->reader_->read_appended();
        self->follow_ = false;
        if (!more.empty()) return self->write(chunk(more));
        return self->end_stream();
      }
      self->next_log_step();
    });
  }

  void end_stream() {
    finished_ = true;
    out_ = "0\r\n\r\n";
    asio::async_write(stream_, asio::buffer(out_),
                      [self = shared_from_this()](error_code, size_t) { self->close(); });
  }

  // A client reading a log stream sends nothing more; a completed read means it left.
  void watch_for_hangup() {
    stream_.async_read_some(asio::buffer(hangup_buffer_), [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->close();
      self->watch_for_hangup();
    });
  }

  void serve_stream(const std::vector<std::string>& segments, const Query& query,
                    http::request<http::string_body>& request) {
    const bool exec = segments[0] == "exec";
    remote::StreamOptions options = remote::parse_stream_options(query, exec);
    // Looked up first: kubectl retries a refused WebSocket with SPDY, and the answer to
    // that second try is what the user reads, so it must say what is wrong with the pod.
    StreamTarget target = shared_.backend->stream_target(segments[1], segments[2], segments[3]);
    if (!websocket::is_upgrade(request))
      throw ApiError::bad_request(
          "Upgrade request required: this kubelet streams exec and attach over WebSocket (v5.channel.k8s.io "
          "or v4.channel.k8s.io); use kubectl 1.30 or newer");
    std::string protocol =
        choose_protocol(request[http::field::sec_websocket_protocol], {remote::kV5, remote::kV4});
    if (protocol.empty())
      throw ApiError::bad_request("unsupported WebSocket subprotocol \"" +
                                  std::string(request[http::field::sec_websocket_protocol]) +
                                  "\": this kubelet speaks v5.channel.k8s.io and v4.channel.k8s.io");
    handed_over_ = true;
    auto bridge = std::make_shared<StreamBridge>(std::move(stream_), std::move(protocol), std::move(target),
                                                 std::move(options), exec, shared_.gate);
    bridge->accept(parser_.release());
  }

  // `kubectl port-forward`: SPDY/3.1 tunnelled through WebSocket (kubectl 1.31+ tries it
  // first), or SPDY/3.1 on the connection itself.
  void serve_port_forward(const std::vector<std::string>& segments,
                          http::request<http::string_body>& request) {
    // Looked up first, so that both of kubectl's tries read what is wrong with the pod.
    PortForwardTarget target = shared_.backend->port_forward_target(segments[1], segments[2],
                                                                    segments.size() == 4 ? segments[3] : "");
    if (websocket::is_upgrade(request)) {
      const auto offered = request[http::field::sec_websocket_protocol];
      if (choose_protocol(offered, {portforward::kTunnelledProtocol}).empty())
        throw ApiError::bad_request("unsupported WebSocket subprotocol \"" + std::string(offered) +
                                    "\": this kubelet forwards ports with " +
                                    std::string(portforward::kTunnelledProtocol) + " or over SPDY/3.1");
      handed_over_ = true;
      return kubelet::serve_port_forward(std::move(stream_), parser_.release(), true, {}, {},
                                         std::move(target), shared_.log);
    }
    if (!upgrade_names(request[http::field::connection], "upgrade") ||
        !upgrade_names(request[http::field::upgrade], "spdy/3.1"))
      throw ApiError::bad_request(
          "unable to upgrade: missing upgrade headers in request (Connection: Upgrade "
          "and Upgrade: SPDY/3.1, or a WebSocket upgrade with subprotocol " +
          std::string(portforward::kTunnelledProtocol) + ")");
    std::string offered;
    for (const auto& field : request)
      if (beast::iequals(field.name_string(), "X-Stream-Protocol-Version"))
        offered += (offered.empty() ? "" : ",") + std::string(field.value());
    std::string protocol;
    try {
      protocol = portforward::negotiate(offered);
    } catch (const std::invalid_argument& e) {
      // Upstream refuses protocols it does not speak with 403, a request naming none is malformed.
      throw offered.empty() ? ApiError::bad_request(e.what()) : ApiError(403, "Forbidden", e.what());
    }
    handed_over_ = true;
    std::string leftover = beast::buffers_to_string(buffer_.data());
    kubelet::serve_port_forward(std::move(stream_), parser_.release(), false, protocol, std::move(leftover),
                                std::move(target), shared_.log);
  }

  // Whether a header's value contains `token`, ignoring case (Go's strings.Contains on lower case).
  static bool upgrade_names(std::string_view value, std::string_view token) {
    std::string lower(value);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find(token) != std::string::npos;
  }

  void respond(int status, const std::string& content_type, const std::string& body) {
    out_ = status_head(status, content_type, false) + "Content-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
    finished_ = true;
    asio::async_write(stream_, asio::buffer(out_),
                      [self = shared_from_this()](error_code, size_t) { self->close(); });
  }

  void close() {
    if (closed_ || handed_over_) return;
    closed_ = true;
    timer_.cancel();
    error_code ignored;
    stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
  }

  TlsStream stream_;
  const Shared& shared_;
  asio::steady_timer timer_;
  Credentials credentials_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  std::string out_;
  std::array<char, 1024> hangup_buffer_{};
  LogTarget target_;
  std::unique_ptr<LogReader> reader_;
  bool follow_ = false;
  int idle_polls_ = 0;
  bool streaming_ = false;
  bool finished_ = false;
  bool handed_over_ = false;  // the stream moved to a StreamBridge or a port-forward connection
  bool closed_ = false;
};

}  // namespace

struct KubeletServer::Impl {
  Shared shared;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::shared_ptr<ssl::context> tls;
  asio::steady_timer housekeeping_timer{io};
  std::thread thread;

  void housekeeping() {
    shared.backend->housekeeping();
    housekeeping_timer.expires_after(kHousekeeping);
    housekeeping_timer.async_wait([this](error_code ec) {
      if (!ec) housekeeping();
    });
  }

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) std::make_shared<Connection>(std::move(socket), *tls, shared)->start();
      accept();
    });
  }
};

KubeletServer::KubeletServer(KubeletServerOptions options, KubeletServerBackend& backend,
                             std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared.options = std::move(options);
  impl_->shared.backend = &backend;
  impl_->shared.log = std::move(logger);
  impl_->tls = make_tls_context(impl_->shared.options);
}

KubeletServer::~KubeletServer() {
  stop();
}

uint16_t KubeletServer::listen() {
  const auto& o = impl_->shared.options;
  try {
    tcp::endpoint endpoint(asio::ip::make_address(o.host), o.port);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    return impl_->acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("kubelet: cannot serve on " + o.host + ":" + std::to_string(o.port) + ": " +
                             e.code().message() + "; set `port` in the kubelet config (0 picks a free one)");
  }
}

void KubeletServer::start() {
  impl_->accept();
  asio::post(impl_->io, [this] { impl_->housekeeping(); });
  impl_->thread = std::thread([this] {
    for (;;) {
      try {
        impl_->io.run();
        return;
      } catch (const std::exception& e) {
        if (impl_->shared.log) impl_->shared.log->error("kubelet server: a connection failed: {}", e.what());
      }
    }
  });
}

void KubeletServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->shared.gate->close();
  asio::post(impl_->io, [this] {
    error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->housekeeping_timer.cancel();
  });
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace ukube::kubelet
