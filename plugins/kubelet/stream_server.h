#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "kubelet_server.h"

// What the kubelet server's translation units with Asio and Beast share (kubelet_server.cpp
// serves requests, port_forward_server.cpp the upgraded port-forward connections they hand
// over). Private to the kubelet plugin; no other header includes it.
namespace ukube::kubelet {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;
using boost::system::error_code;

inline constexpr auto kHandshakeTimeout = std::chrono::seconds(30);

// Completes a WebSocket upgrade answering with `protocol`, binary messages from then on;
// `done` runs with the handshake's outcome.
template <class Handler>
void accept_websocket(websocket::stream<TlsStream>& ws, const http::request<http::string_body>& request,
                      const std::string& protocol, Handler&& done) {
  ws.set_option(websocket::stream_base::decorator(
      [protocol](websocket::response_type& r) { r.set(http::field::sec_websocket_protocol, protocol); }));
  ws.set_option(websocket::stream_base::timeout{kHandshakeTimeout, websocket::stream_base::none(), true});
  ws.binary(true);
  ws.async_accept(request, std::forward<Handler>(done));
}

// Serves `kubectl port-forward` on a connection whose upgrade request was read and checked:
// SPDY/3.1 tunnelled through WebSocket (answering with the tunnelled subprotocol), or SPDY/3.1
// on the connection itself (answering 101 with X-Stream-Protocol-Version `protocol`, none when
// empty; `leftover` holds bytes the client sent after its request). Streams go to `target`.
void serve_port_forward(TlsStream stream, http::request<http::string_body> request, bool tunnelled,
                        const std::string& protocol, std::string leftover, PortForwardTarget target,
                        std::shared_ptr<spdlog::logger> log);

}  // namespace ukube::kubelet
