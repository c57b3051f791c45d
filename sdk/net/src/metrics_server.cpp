#include "ukube/net/metrics_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>
#include <thread>

namespace ukube::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct MetricsServer::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Metrics metrics;
  Health health;
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: stopping
      serve(std::move(socket));
      accept();
    });
  }

  // One request per connection, answered at once: scrapes are small and rare.
  void serve(tcp::socket socket) {
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    socket.non_blocking(false);
    struct timeval timeout {
      5, 0
    };  // a client that sends nothing does not hold the thread
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    http::read(socket, buffer, request, ec);
    if (ec) return;
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(false);
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    if (request.method() != http::verb::get) {
      response.result(http::status::method_not_allowed);
      response.body() = "only GET\n";
    } else if (path == "/metrics") {
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = metrics ? metrics() : "";
    } else if (path == "/healthz" || path == "/livez") {
      const std::string why = health ? health() : "";
      response.result(why.empty() ? http::status::ok : http::status::service_unavailable);
      response.set(http::field::content_type, "text/plain; charset=utf-8");
      response.body() = why.empty() ? "ok" : why + "\n";
    } else {
      response.result(http::status::not_found);
      response.body() = "404 page not found\n";
    }
    response.prepare_payload();
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
};

MetricsServer::MetricsServer(const std::string& address, Metrics metrics, Health health)
    : state_(std::make_unique<State>()) {
  state_->metrics = std::move(metrics);
  state_->health = std::move(health);
  const auto colon = address.rfind(':');
  std::string host = colon == std::string::npos ? address : address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = colon == std::string::npos ? "" : address.substr(colon + 1);
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  int number = -1;
  if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5)
    number = std::stoi(port);
  if (ec || number < 0 || number > 65535)
    throw std::runtime_error("metrics address \"" + address + "\" is not host:port with an IP address host");
  const tcp::endpoint endpoint(ip, static_cast<uint16_t>(number));
  state_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(endpoint, ec);
  if (!ec) state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot serve metrics at " + address + ": " + ec.message());
  state_->accept();
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

MetricsServer::~MetricsServer() {
  asio::post(state_->io, [state = state_.get()] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

uint16_t MetricsServer::port() const {
  boost::system::error_code ec;
  return state_->acceptor.local_endpoint(ec).port();
}

}  // namespace ukube::net
