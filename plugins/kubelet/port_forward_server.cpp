// The network side of `kubectl port-forward` (port_forward.h has the protocol's rules): one
// upgraded connection, carrying a SPDY session, and a socket into the pod per forwarded
// connection, all on the connection's strand of the kubelet server's event loop. Bytes are
// copied as they come, with bounded buffers: the client is not read while too much waits
// for the pods, and a pod is not read while too much waits for the client.
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "port_forward.h"
#include "stream_server.h"
#include "ukube/runtime/driver.h"

namespace ukube::kubelet {
namespace {

// Bytes held for the pods, and for the client, before reading from the other side pauses.
constexpr size_t kMaxBuffered = 1024 * 1024;
// Once the pod's side ended, how long the client's side may go on before both end (as
// upstream's runtimes do: a client that neither ends nor resets its side is not waited for).
constexpr auto kGrace = std::chrono::seconds(1);

// The upgraded connection as a byte stream.
class Transport {
 public:
  using ReadHandler = std::function<void(error_code, std::string_view)>;
  using WriteHandler = std::function<void(error_code)>;
  virtual ~Transport() = default;
  // The upgrade's handshake, when it has one.
  virtual void start(WriteHandler done) = 0;
  // One read; `data` is valid during the handler, until it reads again.
  virtual void read(ReadHandler handler) = 0;
  // `data` stays alive until the handler runs.
  virtual void write(const std::string& data, WriteHandler handler) = 0;
  virtual void close() = 0;
  virtual asio::any_io_executor executor() = 0;
};

// SPDY on the TLS connection itself.
class SpdyTransport final : public Transport {
 public:
  SpdyTransport(TlsStream stream, std::string leftover)
      : stream_(std::move(stream)), leftover_(std::move(leftover)) {}
  void start(WriteHandler done) override { done({}); }
  void read(ReadHandler handler) override {
    if (!leftover_.empty()) {
      asio::post(stream_.get_executor(), [this, handler = std::move(handler)] {
        const std::string data = std::exchange(leftover_, std::string());
        handler({}, data);
      });
      return;
    }
    stream_.async_read_some(asio::buffer(buffer_),
                            [this, handler = std::move(handler)](error_code ec, size_t n) {
                              handler(ec, std::string_view(buffer_.data(), n));
                            });
  }
  void write(const std::string& data, WriteHandler handler) override {
    asio::async_write(stream_, asio::buffer(data),
                      [handler = std::move(handler)](error_code ec, size_t) { handler(ec); });
  }
  void close() override {
    error_code ignored;
    stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
  }
  asio::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  TlsStream stream_;
  std::string leftover_;
  std::array<char, 16 * 1024> buffer_{};
};

// SPDY in WebSocket binary messages (client-go's TunnelingConnection): message boundaries
// mean nothing, the bytes are one stream each way.
class TunnelTransport final : public Transport {
 public:
  TunnelTransport(TlsStream stream, http::request<http::string_body> request)
      : ws_(std::move(stream)), request_(std::move(request)) {}
  void start(WriteHandler done) override {
    accept_websocket(ws_, request_, std::string(portforward::kTunnelledProtocol), std::move(done));
  }
  void read(ReadHandler handler) override {
    ws_.async_read(incoming_, [this, handler = std::move(handler)](error_code ec, size_t) {
      if (ec) return handler(ec, {});
      // Taken out first: the handler starts the next read into the same buffer.
      const std::string data = beast::buffers_to_string(incoming_.data());
      incoming_.consume(incoming_.size());
      handler({}, data);
    });
  }
  void write(const std::string& data, WriteHandler handler) override {
    ws_.async_write(asio::buffer(data),
                    [handler = std::move(handler)](error_code ec, size_t) { handler(ec); });
  }
  void close() override {
    error_code ignored;
    ws_.next_layer().next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    ws_.next_layer().next_layer().close(ignored);
  }
  asio::any_io_executor executor() override { return ws_.get_executor(); }

 private:
  websocket::stream<TlsStream> ws_;
  http::request<http::string_body> request_;
  beast::flat_buffer incoming_;
};

// One forwarded connection: its two streams and its socket into the pod.
struct Forward {
  portforward::StreamPair pair;
  std::optional<tcp::socket> pod;
  std::deque<std::string> to_pod;
  size_t to_pod_bytes = 0;
  std::array<char, 32 * 1024> from_pod{};
  bool writing = false;
  bool reading = false;
  bool client_fin = false;  // the client sends no more
  bool pod_shut = false;    // ... and the pod was told
  bool pod_eof = false;     // the pod sends no more, and the client was told
  bool data_reset = false;  // the client dropped the data stream
  bool done = false;
  std::optional<asio::steady_timer> grace;  // after pod_eof
};

class PortForwardConnection final : public spdy::ServerSession::Handler,
                                    public std::enable_shared_from_this<PortForwardConnection> {
 public:
  PortForwardConnection(std::unique_ptr<Transport> transport, std::string greeting, PortForwardTarget target,
                        std::shared_ptr<spdlog::logger> log)
      : transport_(std::move(transport)),
        greeting_(std::move(greeting)),
        target_(std::move(target)),
        log_(std::move(log)) {}

  void start() {
    transport_->start([self = shared_from_this()](error_code ec) {
      if (ec) return self->close();
      self->flush();
      self->read_client();
    });
  }

  // spdy::ServerSession::Handler
  void on_stream(uint32_t stream_id, spdy::Headers headers, bool) override {
    portforward::StreamRequest request;
    try {
      request = portforward::parse_stream(stream_id, headers);
    } catch (const std::invalid_argument& e) {
      warn("stream " + std::to_string(stream_id) + " refused: " + e.what());
      session_.reset(stream_id, spdy::kCancel);
      return;
    }
    session_.reply(stream_id);
    portforward::StreamPair pair;
    try {
      pair = waiting_.add(stream_id, request);
    } catch (const std::invalid_argument& e) {
      const std::string message =
          "error processing stream for request " + request.request_id + ": " + e.what();
      warn(message);
      if (const auto* waiting = waiting_.find(request.request_id); waiting && waiting->error_stream)
        session_.send_data(waiting->error_stream, message);
      session_.reset(stream_id, spdy::kCancel);
      return;
    }
    if (!pair.complete()) return wait_for_partner(pair.request_id);
    timers_.erase(pair.request_id);
    start_forward(pair);
  }

  void on_data(uint32_t stream_id, std::string_view data, bool fin) override {
    auto it = streams_.find(stream_id);
    if (it == streams_.end()) return;
    std::shared_ptr<Forward> forward = it->second;
    if (stream_id != forward->pair.data_stream) return;  // the error stream's FIN: nothing to do
    if (!data.empty() && !forward->client_fin) {
      forward->to_pod.emplace_back(data);
      forward->to_pod_bytes += data.size();
      to_pods_ += data.size();
    }
    forward->client_fin = forward->client_fin || fin;
    write_pod(forward);
  }

  void on_reset(uint32_t stream_id, uint32_t) override {
    if (auto request = waiting_.request_of(stream_id); !request.empty()) {
      waiting_.take(request);
      timers_.erase(request);
      return;
    }
    auto it = streams_.find(stream_id);
    if (it == streams_.end()) return;
    std::shared_ptr<Forward> forward = it->second;
    // kubectl resets the data stream once the pod's side ended, then waits for the error
    // stream's end; a reset error stream only means no error will be read.
    if (stream_id == forward->pair.data_stream) {
      forward->data_reset = true;
      finish(forward, {});
    }
  }

 private:
  void warn(const std::string& what) {
    if (log_) log_->warn("kubelet: port forwarding into pod sandbox {}: {}", target_.sandbox_id, what);
  }

  size_t to_client() const { return session_.pending_output() + (writing_ ? out_.size() : 0); }

  void read_client() {
    if (closed_ || reading_) return;
    if (to_pods_ >= kMaxBuffered) {
      client_paused_ = true;
      return;
    }
    reading_ = true;
    transport_->read([self = shared_from_this()](error_code ec, std::string_view data) {
      self->reading_ = false;
      if (ec) return self->close();
      try {
        self->session_.receive(data);
      } catch (const spdy::ProtocolError& e) {
        self->warn(e.what());
        return self->close();
      }
      self->flush();
      self->read_client();
    });
  }

  void resume_client() {
    if (client_paused_ && to_pods_ < kMaxBuffered) {
      client_paused_ = false;
      read_client();
    }
  }

  void flush() {
    if (writing_ || closed_ || (session_.pending_output() == 0 && greeting_.empty())) return;
    out_ = std::exchange(greeting_, std::string()) + session_.take_output();
    writing_ = true;
    transport_->write(out_, [self = shared_from_this()](error_code ec) {
      self->writing_ = false;
      if (ec) return self->close();
      self->flush();
      for (auto& weak : std::exchange(self->pods_paused_, {}))
        if (auto forward = weak.lock()) self->read_pod(forward);
    });
  }

  void wait_for_partner(const std::string& request_id) {
    auto& timer = timers_[request_id];
    if (timer) return;
    timer = std::make_unique<asio::steady_timer>(transport_->executor(), portforward::kStreamCreationTimeout);
    timer->async_wait([weak = weak_from_this(), request_id](error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_) return;
      self->timers_.erase(request_id);
      auto pair = self->waiting_.take(request_id);
      if (!pair) return;
      const std::string message = "(conn=" + std::to_string(reinterpret_cast<uintptr_t>(self.get())) +
                                  ", request=" + request_id + ") timed out waiting for streams";
      self->warn(message);
      if (pair->error_stream) self->session_.send_data(pair->error_stream, message, true);
      if (pair->data_stream) self->session_.send_data(pair->data_stream, {}, true);
      self->flush();
    });
  }

  void start_forward(const portforward::StreamPair& pair) {
    auto forward = std::make_shared<Forward>();
    forward->pair = pair;
    streams_[pair.data_stream] = forward;
    streams_[pair.error_stream] = forward;
    int fd = -1;
    try {
      fd = target_.driver->port_forward(target_.sandbox_id, pair.port);
    } catch (const std::exception& e) {
      return finish(forward, portforward::forwarding_error(pair.port, target_.sandbox_id, "", e.what()));
    }
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    error_code ec;
    forward->pod.emplace(transport_->executor());
    forward->pod->assign(address.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      return finish(forward, portforward::forwarding_error(pair.port, target_.sandbox_id, "",
                                                           "socket: " + ec.message()));
    }
    read_pod(forward);
    write_pod(forward);
  }

  void write_pod(const std::shared_ptr<Forward>& forward) {
    if (!forward->pod || forward->writing || forward->done) return;
    if (forward->to_pod.empty()) {
      if (forward->client_fin && !forward->pod_shut) {
        forward->pod_shut = true;
        error_code ignored;
        forward->pod->shutdown(tcp::socket::shutdown_send, ignored);
        if (forward->pod_eof) finish(forward, {});
      }
      return;
    }
    forward->writing = true;
    asio::async_write(*forward->pod, asio::buffer(forward->to_pod.front()),
                      [self = shared_from_this(), forward](error_code ec, size_t) {
                        forward->writing = false;
                        if (forward->done) return;
                        const size_t sent = forward->to_pod.front().size();
                        forward->to_pod.pop_front();
                        forward->to_pod_bytes -= sent;
                        self->to_pods_ -= sent;
                        // The pod stopped reading: this forwarded connection is over.
                        if (ec) return self->finish(forward, {});
                        self->write_pod(forward);
                        self->resume_client();
                      });
  }

  void read_pod(const std::shared_ptr<Forward>& forward) {
    if (!forward->pod || forward->reading || forward->pod_eof || forward->done) return;
    if (to_client() >= kMaxBuffered) {
      pods_paused_.push_back(forward);
      return;
    }
    forward->reading = true;
    forward->pod->async_read_some(
        asio::buffer(forward->from_pod), [self = shared_from_this(), forward](error_code ec, size_t n) {
          forward->reading = false;
          if (forward->done) return;
          if (n > 0) self->session_.send_data(forward->pair.data_stream, {forward->from_pod.data(), n});
          if (ec) {
            // The pod's side ended (or broke): the client hears the end of the data stream,
            // and the rest ends once its side did too (kubectl 1.32+ resets the stream then),
            // or a moment later.
            forward->pod_eof = true;
            self->session_.send_data(forward->pair.data_stream, {}, true);
            if (forward->pod_shut) return self->finish(forward, {});
            forward->grace.emplace(self->transport_->executor(), kGrace);
            forward->grace->async_wait([weak = self->weak_from_this(), forward](error_code ec) {
              if (auto self = weak.lock(); self && !ec) self->finish(forward, {});
            });
            return self->flush();
          }
          self->flush();
          self->read_pod(forward);
        });
  }

  // Ends a forwarded connection: its streams end (the error stream saying `error` first), its
  // socket closes.
  void finish(const std::shared_ptr<Forward>& forward, const std::string& error) {
    if (forward->done) return;
    forward->done = true;
    if (!error.empty()) warn(error);
    if (!forward->pod_eof && !forward->data_reset) session_.send_data(forward->pair.data_stream, {}, true);
    session_.send_data(forward->pair.error_stream, error, true);
    to_pods_ -= forward->to_pod_bytes;
    if (forward->grace) forward->grace->cancel();
    if (forward->pod) {
      error_code ignored;
      forward->pod->close(ignored);
    }
    streams_.erase(forward->pair.data_stream);
    streams_.erase(forward->pair.error_stream);
    flush();
    resume_client();
  }

  // The client went away (or broke the protocol): everything ends.
  void close() {
    if (closed_) return;
    closed_ = true;
    transport_->close();
    timers_.clear();
    for (auto& [id, forward] : streams_) {
      forward->done = true;
      if (forward->grace) forward->grace->cancel();
      if (forward->pod) {
        error_code ignored;
        forward->pod->close(ignored);
      }
    }
    streams_.clear();
  }

  std::unique_ptr<Transport> transport_;
  std::string greeting_;  // the 101 answer of a plain SPDY upgrade, sent first
  PortForwardTarget target_;
  std::shared_ptr<spdlog::logger> log_;
  spdy::ServerSession session_{*this};
  portforward::StreamPairs waiting_;
  std::map<std::string, std::unique_ptr<asio::steady_timer>> timers_;  // by request id
  std::map<uint32_t, std::shared_ptr<Forward>> streams_;               // by data and error stream id
  std::vector<std::weak_ptr<Forward>> pods_paused_;
  std::string out_;
  size_t to_pods_ = 0;
  bool writing_ = false;
  bool reading_ = false;
  bool client_paused_ = false;
  bool closed_ = false;
};

}  // namespace

void serve_port_forward(TlsStream stream, http::request<http::string_body> request, bool tunnelled,
                        const std::string& protocol, std::string leftover, PortForwardTarget target,
                        std::shared_ptr<spdlog::logger> log) {
  std::unique_ptr<Transport> transport;
  std::string greeting;
  if (tunnelled) {
    transport = std::make_unique<TunnelTransport>(std::move(stream), std::move(request));
  } else {
    transport = std::make_unique<SpdyTransport>(std::move(stream), std::move(leftover));
    greeting = portforward::upgrade_response(protocol);
  }
  std::make_shared<PortForwardConnection>(std::move(transport), std::move(greeting), std::move(target),
                                          std::move(log))
      ->start();
}

}  // namespace ukube::kubelet
