#pragma once

#include <cstdint>
#include <memory>

#include "apiserver/settings.h"

namespace spdlog {
class logger;
}

// The network side: HTTP/1.1 over Asio/Beast on a small fixed pool of event-loop
// threads. This header stays free of Asio and Beast so that only http_server.cpp pays
// for them.
namespace ukube::apiserver {

class ApiHandler;

class HttpServer {
 public:
  HttpServer(const Settings& settings, std::shared_ptr<spdlog::logger> logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (no threads yet); returns the port, which differs from the
  // configured one when that was 0. Throws std::runtime_error naming the address.
  uint16_t listen();
  // Starts accepting and the event-loop threads; `handler` must outlive stop().
  void start(ApiHandler& handler);
  // Closes the listener and every connection, ends every watch and joins the threads.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ukube::apiserver
