// A small HTTP server for the kubelet's tests on the process runtime: it answers every GET
// with 200 and the request's path, on 127.0.0.1:<port>, and exits 0 on SIGTERM after
// printing "terminating" (so a test sees the signal in the container's log).
//   ukube-test-http-server <port> [label...]   (labels are ignored: tests mark processes with them)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

volatile sig_atomic_t terminating = 0;

void on_term(int) {
  terminating = 1;
}

void answer(int client) {
  char buf[4096];
  const ssize_t n = read(client, buf, sizeof buf - 1);
  if (n <= 0) return;
  buf[n] = '\0';
  std::string request(buf);
  const auto start = request.find(' ') + 1;
  const std::string path = request.substr(start, request.find(' ', start) - start);
  const std::string body = "ok " + path + "\n";
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  [[maybe_unused]] ssize_t written = write(client, response.data(), response.size());
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
