// A small HTTP server for the kubelet's tests on the process runtime: it answers every GET
// with 200 and the request's path ("ok /path"), GET /bytes/<n> with n bytes of a repeating
// pattern, a request with a body with the body's size ("ok /path 1234 bytes"), on
// 127.0.0.1:<port>, one connection at a time, and exits 0 on SIGTERM after printing
// "terminating" (so a test sees the signal in the container's log).
//   ukube-test-http-server <port> [label...]   (labels are ignored: tests mark processes with them)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

volatile sig_atomic_t terminating = 0;

void on_term(int) {
  terminating = 1;
}

// Appends what `fd` has next to `into`; false once it closed, or sent nothing for 5 s.
bool read_more(int fd, std::string& into) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 5000) <= 0) return false;
  char buf[16384];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) return false;
  into.append(buf, static_cast<size_t>(n));
  return true;
}

bool write_all(int fd, const std::string& data) {
  size_t at = 0;
  while (at < data.size()) {
    const ssize_t n = write(fd, data.data() + at, data.size() - at);
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

void answer(int client) {
  std::string request;
  size_t end;
  while ((end = request.find("\r\n\r\n")) == std::string::npos)
    if (!read_more(client, request)) return;
  const std::string head = request.substr(0, end);
  const auto start = head.find(' ') + 1;
  const std::string path = head.substr(start, head.find(' ', start) - start);
  size_t length = 0;
  for (const char* name : {"\r\nContent-Length: ", "\r\ncontent-length: "})
    if (auto at = head.find(name); at != std::string::npos)
      length = std::strtoul(head.c_str() + at + std::strlen(name), nullptr, 10);
  std::string body_in = request.substr(end + 4);
  while (body_in.size() < length)
    if (!read_more(client, body_in)) return;
  std::string body;
  if (length > 0) {
    body = "ok " + path + " " + std::to_string(length) + " bytes\n";
  } else if (path.rfind("/bytes/", 0) == 0) {
    const size_t n = std::strtoul(path.c_str() + 7, nullptr, 10);
    static const std::string kPattern = "0123456789abcdef";
    body.reserve(n);
    while (body.size() < n) body += kPattern.substr(0, std::min(kPattern.size(), n - body.size()));
  } else {
    body = "ok " + path + "\n";
  }
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  write_all(client, response);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <port> [label...]\n", argv[0]);
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that left is not a reason to stop
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0) {
    std::perror("ukube-test-http-server: cannot listen");
    return 1;
  }
  std::printf("serving on 127.0.0.1:%s\n", argv[1]);
  std::fflush(stdout);
  while (!terminating) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    answer(client);
    close(client);
  }
  std::printf("terminating\n");
  std::fflush(stdout);
  return 0;
}
