#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// A deliberately dumb HTTP/1.1 client over a raw socket, so the tests see exactly the
// bytes the server sends (framing, chunking, headers) and can misbehave on purpose.
namespace ukube::apiserver::testing {

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const;  // first value, "" when absent
  std::vector<std::string> all(const std::string& name) const;
};

class Connection {
 public:
  explicit Connection(uint16_t port);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(const std::string& bytes);
  // Sends a request with Host and Content-Length filled in.
  void send_request(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  // A whole response (Content-Length or chunked). Throws std::runtime_error on timeout or EOF.
  Response read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Only the status line and headers, for streams read chunk by chunk.
  Response read_head(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The next chunk's data; "" for the last chunk; nullopt when nothing came in time.
  std::optional<std::string> read_chunk(std::chrono::milliseconds timeout);
  // Whether the server closed the connection within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // false on timeout or EOF
  std::string read_line(std::chrono::steady_clock::time_point deadline);
  std::string read_exact(size_t n, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// One request on a fresh connection.
Response request(uint16_t port, const std::string& method, const std::string& target,
                 const std::string& body = {},
                 const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace ukube::apiserver::testing
