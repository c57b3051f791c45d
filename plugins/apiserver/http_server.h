#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "settings.h"

namespace spdlog {
class logger;
}

// The network side: HTTP/1.1 over Asio/Beast on a small fixed pool of event-loop
// threads. This header stays free of Asio and Beast so that only http_server.cpp pays
// for them.
namespace ukube::apiserver {

class ApiHandler;

// PEM files of the serving certificate and of the CA that client certificates must chain to.
struct TlsFiles {
  std::filesystem::path certificate;
  std::filesystem::path key;
  std::filesystem::path client_ca;
};

class HttpServer {
 public:
  HttpServer(const Settings& settings, std::shared_ptr<spdlog::logger> logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (no threads yet); returns the port, which differs from the
  // configured one when that was 0. Throws std::runtime_error naming the address.
  uint16_t listen();
  // Serves HTTPS (TLS 1.2+) with these files to every connection accepted from now on;
  // called again, it rotates them without touching open connections. Without it the
  // server speaks plain HTTP. Throws std::runtime_error naming the file at fault.
  void use_tls(const TlsFiles& files);
  // Starts accepting and the event-loop threads; `handler` must outlive stop().
  void start(ApiHandler& handler);
  // Closes the listener and every connection, ends every watch and joins the threads.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ukube::apiserver
