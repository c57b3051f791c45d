#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ukube::apiserver::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string Response::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == lower(name)) return v;
  return {};
}

std::vector<std::string> Response::all(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers)
    if (k == lower(name)) out.push_back(v);
  return out;
}

Connection::Connection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

void Connection::send(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    done += static_cast<size_t>(n);
  }
}

void Connection::send_request(const std::string& method, const std::string& target, const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  for (const auto& [k, v] : headers) text += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n" + body;
  send(text);
}

bool Connection::fill(Clock::time_point deadline) {
  if (eof_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  pollfd p{fd_, POLLIN, 0};
  if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
  char buf[65536];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

std::string Connection::read_line(Clock::time_point deadline) {
  for (;;) {
    auto end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return line;
    }
    if (!fill(deadline)) throw std::runtime_error("timed out or EOF reading a line");
  }
}

std::string Connection::read_exact(size_t n, Clock::time_point deadline) {
  while (buffer_.size() < n)
    if (!fill(deadline)) throw std::runtime_error("timed out or EOF reading a body");
  std::string out = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return out;
}

Response Connection::read_head(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  Response r;
  std::string status = read_line(deadline);
  if (status.size() < 12) throw std::runtime_error("bad status line: " + status);
  r.status = std::stoi(status.substr(9, 3));
  for (std::string line = read_line(deadline); !line.empty(); line = read_line(deadline)) {
    auto colon = line.find(':');
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(lower(line.substr(0, colon)), value);
  }
  return r;
}

std::optional<std::string> Connection::read_chunk(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (buffer_.find("\r\n") == std::string::npos)
    if (!fill(deadline)) return std::nullopt;
  size_t size = std::stoul(read_line(deadline), nullptr, 16);
  std::string data = read_exact(size, deadline);
  read_exact(2, deadline);
  return data;
}

Response Connection::read_response(std::chrono::milliseconds timeout) {
  Response r = read_head(timeout);
  auto deadline = Clock::now() + timeout;
  if (lower(r.header("transfer-encoding")) == "chunked") {
    for (;;) {
      auto chunk = read_chunk(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (!chunk) throw std::runtime_error("timed out reading chunks");
      if (chunk->empty()) break;
      r.body += *chunk;
    }
  } else {
    std::string length = r.header("content-length");
    r.body = read_exact(length.empty() ? 0 : std::stoul(length), deadline);
  }
  return r;
}

bool Connection::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (fill(deadline)) {
  }
  return eof_;
}

Response request(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                 const std::vector<std::pair<std::string, std::string>>& headers) {
  Connection c(port);
  c.send_request(method, target, body, headers);
  return c.read_response();
}

}  // namespace ukube::apiserver::testing
