// The libcurl transport's failures, worded as upstream's Go client words them. (Real
// HTTPS with a CA bundle is exercised end to end by tests/integration/webhook_test.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/support/loopback_socket.h"
#include "ukube/https/curl_transport.h"

namespace ukube::https {
namespace {

// A loopback TCP socket bound to a free port; listening or not.
class Socket {
 public:
  explicit Socket(bool listen_on) {
    fd_ = ukube::testing::bind_loopback(SOCK_STREAM, port_);
    if (listen_on) ::listen(fd_, 4);
  }
  ~Socket() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(CurlTransport, RefusedConnectionReadsLikeGo) {
  Socket bound_not_listening(false);
  std::string url = "https://127.0.0.1:" + std::to_string(bound_not_listening.port()) + "/hook?timeout=2s";
  CurlTransport transport;
  HttpResult r = transport.post({url, "", std::chrono::seconds(2), "{}"});
  EXPECT_FALSE(r.sent);
  EXPECT_EQ(r.error, "dial tcp 127.0.0.1:" + std::to_string(bound_not_listening.port()) +
                         ": connect: connection refused");
}

TEST(CurlTransport, SilentServerTimesOut) {
  Socket never_answers(true);  // the kernel completes the TCP handshake; TLS never starts
  std::string url = "https://127.0.0.1:" + std::to_string(never_answers.port()) + "/hook?timeout=1s";
  CurlTransport transport;
  auto start = std::chrono::steady_clock::now();
  HttpResult r = transport.post({url, "", std::chrono::seconds(1), "{}"});
  EXPECT_FALSE(r.sent);
  EXPECT_EQ(r.error, "context deadline exceeded");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(CurlTransport, OnlyHttpsIsSpoken) {
  Socket s(true);
  CurlTransport transport;
  HttpResult r = transport.post(
      {"http://127.0.0.1:" + std::to_string(s.port()) + "/", "", std::chrono::seconds(1), "{}"});
  EXPECT_FALSE(r.sent);
  EXPECT_FALSE(r.error.empty());
}

}  // namespace
}  // namespace ukube::https
