// apiserver_bench: the API server's figures measured from outside, as a client sees
// them. It starts the real daemon (bin/ukube beside this binary) on a scratch data
// directory, drives it over loopback keep-alive connections from this process, runs
// the same GET load against nginx serving the same bytes from a file, and prints one
// table with the targets (DESIGN.md §10). It prints figures and never fails on them.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "ukube/testing/temp_dir.h"

extern char** environ;

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What an interrupted run must still clean up: scratch directories and child process
// groups. The signal watcher (see main) does it on a thread of its own.
std::mutex g_cleanup_mu;
std::vector<fs::path> g_scratch_dirs;
std::atomic<pid_t> g_children[4];

// A TempDir that the signal watcher also removes when the run is interrupted.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) : dir_("bench-" + tag) {
    std::lock_guard lock(g_cleanup_mu);
    g_scratch_dirs.push_back(dir_.path());
  }
  ~ScratchDir() {
    std::lock_guard lock(g_cleanup_mu);
    std::erase(g_scratch_dirs, dir_.path());
  }
  const fs::path& path() const { return dir_.path(); }

 private:
  ukube::testing::TempDir dir_;  // removes the directory after the destructor's body
};

// ---------------------------------------------------------------------------------------
// Child processes. Each runs in a process group of its own, so nginx's workers go with
// their master; an interrupted bench still takes its children down.

// SIGINT, SIGTERM and SIGHUP stay blocked on every thread but the one that waits for them.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  return set;
}

void clean_up_on_signal() {
  const sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    ::sigwait(&set, &sig);
    for (auto& c : g_children) {
      pid_t pid = c.load();
      if (pid > 0) ::kill(-pid, SIGKILL);
    }
    std::lock_guard lock(g_cleanup_mu);
    for (const auto& dir : g_scratch_dirs) {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
    std::_Exit(128 + sig);
  }).detach();
}

class Child {
 public:
  Child(std::vector<std::string> argv_storage, const fs::path& log) {
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);  // ours blocks the stop signals
    started_ = Clock::now();
    int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv_storage[0] + ": " + std::strerror(rc));
    for (auto& c : g_children) {
      pid_t empty = 0;
      if (c.compare_exchange_strong(empty, pid_)) break;
    }
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  Clock::time_point started() const { return started_; }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      ::kill(-pid_, SIGKILL);  // whatever it left behind
      forget();
      return false;
    }
    return true;
  }

  // SIGTERM and a short wait for an orderly exit, then SIGKILL to the whole group.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    bool reaped = false;
    while (!reaped && Clock::now() < deadline) {
      reaped = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(-pid_, SIGKILL);
    if (!reaped) ::waitpid(pid_, &status, 0);
    forget();
  }

 private:
  void forget() {
    for (auto& c : g_children) {
      pid_t mine = pid_;
      c.compare_exchange_strong(mine, 0);
    }
    pid_ = -1;
  }
  pid_t pid_ = -1;
  Clock::time_point started_;
};

// A numeric field of /proc/<pid>/status, such as "VmRSS:" (in kB) or "Threads:".
long long status_field(pid_t pid, std::string_view name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(name)) return std::stoll(line.substr(name.size()));
  return -1;
}

// VmRSS in MB (10^6 bytes), the unit of the target.
double rss_mb(pid_t pid) {
  return static_cast<double>(status_field(pid, "VmRSS:")) * 1024.0 / 1e6;
}

// CPU seconds (user and system) used so far by the processes of group `pgid`: the
// daemon, or nginx's master and workers.
double group_cpu_seconds(pid_t pgid) {
  if (pgid <= 0) return 0;
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string stat = read_text(entry.path() / "stat");
    auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    // After the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
    // cmajflt utime stime.
    std::istringstream fields(stat.substr(paren + 2));
    std::string state;
    long long ppid = 0, pgrp = 0, skip = 0, utime = 0, stime = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp != pgid) continue;
    for (int i = 0; i < 8; ++i) fields >> skip;
    fields >> utime >> stime;
    total += static_cast<double>(utime + stime) / ticks;
  }
  return total;
}

uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// ---------------------------------------------------------------------------------------
// HTTP/1.1 framing, as much of it as the bench meets: Content-Length bodies and chunked
// watch streams.

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  return true;
}

struct Head {
  size_t length = 0;  // of the status line and headers, with the blank line
  int status = 0;
  bool chunked = false;
  size_t content_length = 0;
};

// The head of the response at the start of `data`, once all of it has arrived.
std::optional<Head> parse_head(std::string_view data) {
  auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  Head h;
  h.length = end + 4;
  if (data.size() >= 12) h.status = std::atoi(std::string(data.substr(9, 3)).c_str());
  size_t at = data.find("\r\n") + 2;
  while (at < end) {
    size_t eol = data.find("\r\n", at);
    std::string_view line = data.substr(at, eol - at);
    if (iequals_prefix(line, "content-length:")) {
      h.content_length = std::strtoull(std::string(line.substr(15)).c_str(), nullptr, 10);
    } else if (iequals_prefix(line, "transfer-encoding:")) {
      h.chunked = line.find("chunked") != std::string_view::npos;
    }
    at = eol + 2;
  }
  return h;
}

std::string request_text(std::string_view method, std::string_view target, std::string_view body = {}) {
  std::string r;
  r.reserve(160 + body.size());
  r.append(method).append(" ").append(target).append(
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nUser-Agent: apiserver-bench\r\n");
  if (!body.empty() || method == "POST") {
    r.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
    r.append("\r\n");
  }
  r.append("\r\n").append(body);
  return r;
}

struct Reply {
  int status = 0;
  std::string body;
};

// One blocking keep-alive connection, for setup and for latency samples.
class SyncClient {
 public:
  explicit SyncClient(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
  }
  Reply call(std::string_view method, std::string_view target, std::string_view body = {}) {
    asio::write(socket_, asio::buffer(request_text(method, target, body)));
    std::string in;
    char buf[64 * 1024];
    while (true) {
      if (auto head = parse_head(in);
          head && !head->chunked && in.size() >= head->length + head->content_length)
        return {head->status, in.substr(head->length, head->content_length)};
      size_t n = socket_.read_some(asio::buffer(buf));
      in.append(buf, n);
    }
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
};

// ---------------------------------------------------------------------------------------
// The load generator: `connections` keep-alive connections on one thread, each sending
// its next request as soon as the previous response is complete.

struct LoadOptions {
  int connections = 16;
  double warmup = 0;    // seconds of load before counting starts
  double duration = 0;  // seconds counted; 0: run until `total` requests are done
  uint64_t total = 0;   // requests to send in all; 0: no limit
  int expect_status = 200;
  pid_t server_group = 0;  // whose CPU time the window measures
  SSL_CTX* tls = nullptr;  // set: HTTPS, with the context's client certificate
};

struct LoadResult {
  uint64_t ok = 0;      // expected status, counted in the window
  uint64_t bad = 0;     // other status, anywhere in the run
  uint64_t errors = 0;  // connections lost
  double seconds = 0;
  std::vector<double> latency_us;  // of the counted requests
  std::string first_bad;           // the first unexpected response, for the reader
  double server_cpu = 0;           // CPU seconds the server used in the window
  double loader_cpu = 0;           // and the load generator
  double rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  // Server CPU per request: steadier than the rate on a machine others are using.
  double cpu_us() const { return ok ? server_cpu * 1e6 / static_cast<double>(ok) : 0; }
  double loader_us() const { return ok ? loader_cpu * 1e6 / static_cast<double>(ok) : 0; }
};

// The load generator proper: non-blocking sockets on one epoll set, one recv() and one
// send() per request, as wrk does, so that it costs the server's cores as little as it
// can.
class Load {
 public:
  using MakeRequest = std::function<void(uint64_t seq, std::string& out)>;

  Load(uint16_t port, LoadOptions options, MakeRequest make)
      : port_(port), options_(options), make_(std::move(make)), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}
  ~Load() {
    for (auto& c : conns_) close(c);
    ::close(epoll_);
  }

  LoadResult run() {
    const auto start = Clock::now();
    const auto counting_from = start + to_duration(options_.warmup);
    const auto stop_at = counting_from + to_duration(options_.duration);
    bool counting = options_.warmup <= 0;
    if (counting) begin_window(start);
    conns_.resize(static_cast<size_t>(options_.connections));
    for (auto& c : conns_) {
      connect(c);
      send(c);
    }
    std::vector<epoll_event> events(conns_.size());
    char buf[64 * 1024];
    while (busy_ > 0) {
      int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 10);
      const auto now = Clock::now();
      if (!counting && now >= counting_from) {
        counting = true;
        begin_window(now);
      }
      if (options_.duration > 0 && !stopping_ && now >= stop_at) {
        stopping_ = true;
        counting = false;
        result_.seconds = std::chrono::duration<double>(now - window_start_).count();
        result_.server_cpu = group_cpu_seconds(options_.server_group) - cpu_start_;
        result_.loader_cpu = thread_cpu_seconds() - loader_start_;
      }
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[events[i].data.u64];
        ssize_t got = read_some(c, buf, sizeof buf);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (got <= 0) {
          lost(c);
          continue;
        }
        auto head = parse_head(c.in);
        if (!head || c.in.size() < head->length + head->content_length) continue;
        done(c, *head, now, counting);
      }
    }
    if (options_.duration <= 0) {
      result_.seconds = std::chrono::duration<double>(last_done_ - window_start_).count();
      result_.server_cpu = group_cpu_seconds(options_.server_group) - cpu_start_;
      result_.loader_cpu = thread_cpu_seconds() - loader_start_;
    }
    return std::move(result_);
  }

 private:
  struct Conn {
    int fd = -1;
    SSL* ssl = nullptr;
    std::string out;
    std::string in;
    Clock::time_point sent;
    bool waiting = false;  // a request is out
  };

  static Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  void begin_window(Clock::time_point now) {
    window_start_ = now;
    cpu_start_ = group_cpu_seconds(options_.server_group);
    loader_start_ = thread_cpu_seconds();
  }

  static double thread_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }

  bool more() const { return !stopping_ && (options_.total == 0 || issued_ < options_.total); }

  void connect(Conn& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (options_.tls) {
      // The handshake is done blocking, before the window opens; then the socket joins the rest.
      c.ssl = SSL_new(options_.tls);
      SSL_set_fd(c.ssl, c.fd);
      if (SSL_connect(c.ssl) != 1) throw std::runtime_error("TLS handshake with the daemon failed");
    }
    ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
  }

  // Requests are small: one send() takes all of it, bar a full socket buffer, which
  // loopback does not have at these sizes; the rest is then sent blocking.
  void send(Conn& c) {
    if (!more()) return;
    c.out.clear();
    make_(issued_++, c.out);
    c.in.clear();
    c.sent = Clock::now();
    size_t at = 0;
    while (at < c.out.size()) {
      ssize_t n = write_some(c, c.out.data() + at, c.out.size() - at);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        pollfd p{c.fd, POLLOUT, 0};
        ::poll(&p, 1, 100);
        continue;
      }
      if (n < 0) return lost(c);
      at += static_cast<size_t>(n);
    }
    c.waiting = true;
    ++busy_;
  }

  void done(Conn& c, const Head& head, Clock::time_point now, bool counting) {
    c.waiting = false;
    --busy_;
    last_done_ = now;
    if (head.status == options_.expect_status) {
      if (counting) {
        ++result_.ok;
        result_.latency_us.push_back(std::chrono::duration<double, std::micro>(now - c.sent).count());
      }
    } else if (result_.bad++ == 0) {
      result_.first_bad = std::to_string(head.status) + " " +
                          c.in.substr(head.length, std::min<size_t>(300, head.content_length));
    }
    send(c);  // no pipelining: nothing follows the response
  }

  // recv()/send() semantics over TLS too: -1 with EAGAIN when the socket has nothing yet.
  // A TLS read drains every record already decrypted, since epoll only sees the socket.
  static ssize_t read_some(Conn& c, char* buf, size_t size) {
    if (!c.ssl) {
      ssize_t got = ::recv(c.fd, buf, size, 0);
      if (got > 0) c.in.append(buf, static_cast<size_t>(got));
      return got;
    }
    ssize_t total = 0;
    for (;;) {
      int n = SSL_read(c.ssl, buf, static_cast<int>(size));
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        total += n;
        continue;
      }
      int err = SSL_get_error(c.ssl, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (total > 0) return total;
        errno = EAGAIN;
        return -1;
      }
      return total > 0 ? total : 0;
    }
  }

  static ssize_t write_some(Conn& c, const char* data, size_t size) {
    if (!c.ssl) return ::send(c.fd, data, size, MSG_NOSIGNAL);
    int n = SSL_write(c.ssl, data, static_cast<int>(size));
    if (n > 0) return n;
    int err = SSL_get_error(c.ssl, n);
    errno = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? EAGAIN : EPIPE;
    return -1;
  }

  static void close(Conn& c) {
    if (c.ssl) SSL_free(c.ssl);
    c.ssl = nullptr;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }

  void lost(Conn& c) {
    if (c.waiting) --busy_;
    c.waiting = false;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c);
    if (stopping_) return;
    ++result_.errors;
    connect(c);
    send(c);
  }

  uint16_t port_;
  LoadOptions options_;
  MakeRequest make_;
  int epoll_;
  std::vector<Conn> conns_;
  uint64_t issued_ = 0;
  size_t busy_ = 0;  // connections with a request out
  bool stopping_ = false;
  Clock::time_point window_start_, last_done_;
  double cpu_start_ = 0;
  double loader_start_ = 0;
  LoadResult result_;
};

// ---------------------------------------------------------------------------------------
// Watchers: each holds one watch stream open and counts the events (one JSON line each)
// in the chunked body.

class Watchers {
 public:
  Watchers(uint16_t port, int count, std::string target)
      : endpoint_(asio::ip::make_address("127.0.0.1"), port), request_(request_text("GET", target)) {
    for (int i = 0; i < count; ++i) conns_.push_back(std::make_unique<Conn>(io_));
    for (auto& c : conns_) open(*c);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Watchers() { stop(); }

  void stop() {
    if (!thread_.joinable()) return;
    io_.stop();
    thread_.join();
    for (auto& c : conns_) {
      error_code ignored;
      c->socket.close(ignored);
    }
  }

  int established() const { return established_.load(); }
  int failed() const { return failed_.load(); }
  uint64_t events() const { return events_.load(std::memory_order_relaxed); }
  Clock::time_point last_event() const { return Clock::time_point(Clock::duration(last_event_.load())); }
  // Watchers that have seen at least `n` events.
  int caught_up(uint64_t n) const {
    int k = 0;
    for (auto& c : conns_) k += c->events.load(std::memory_order_relaxed) >= n;
    return k;
  }
  std::string first_error() const {
    std::lock_guard lock(mu_);
    return first_error_;
  }

 private:
  struct Conn {
    explicit Conn(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string head;
    bool in_body = false;
    enum { Size, Data, DataEnd } state = Size;
    size_t chunk_left = 0;
    size_t size = 0;
    std::atomic<uint64_t> events{0};
    char buf[16 * 1024];
  };

  void fail(const std::string& why) {
    ++failed_;
    std::lock_guard lock(mu_);
    if (first_error_.empty()) first_error_ = why;
  }

  void open(Conn& c) {
    c.socket.async_connect(endpoint_, [this, &c](error_code ec) {
      if (ec) return fail("connect: " + ec.message());
      asio::async_write(c.socket, asio::buffer(request_), [this, &c](error_code ec, size_t) {
        if (ec) return fail("write: " + ec.message());
        read(c);
      });
    });
  }

  void read(Conn& c) {
    c.socket.async_read_some(asio::buffer(c.buf), [this, &c](error_code ec, size_t n) {
      if (ec) {
        if (ec != asio::error::operation_aborted) fail("read: " + ec.message());
        return;
      }
      std::string_view data(c.buf, n);
      if (!c.in_body) {
        c.head.append(data);
        auto head = parse_head(c.head);
        if (!head) return read(c);
        if (head->status != 200 || !head->chunked) return fail("watch answered " + c.head.substr(0, 300));
        c.in_body = true;
        ++established_;
        data = std::string_view(c.head).substr(head->length);
        consume(c, data);
        c.head.clear();
      } else {
        consume(c, data);
      }
      read(c);
    });
  }

  // The chunked-transfer decoder; every '\n' in chunk data ends one event.
  void consume(Conn& c, std::string_view data) {
    uint64_t seen = 0;
    while (!data.empty()) {
      switch (c.state) {
        case Conn::Size: {
          char ch = data.front();
          data.remove_prefix(1);
          if (ch == '\n') {
            c.state = c.size ? Conn::Data : Conn::DataEnd;
            c.chunk_left = c.size;
            c.size = 0;
          } else if (std::isxdigit(static_cast<unsigned char>(ch))) {
            c.size = c.size * 16 +
                     static_cast<size_t>(std::isdigit(static_cast<unsigned char>(ch))
                                             ? ch - '0'
                                             : std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10);
          }
          break;
        }
        case Conn::Data: {
          size_t take = std::min(c.chunk_left, data.size());
          seen += static_cast<uint64_t>(
              std::count(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take), '\n'));
          data.remove_prefix(take);
          c.chunk_left -= take;
          if (c.chunk_left == 0) c.state = Conn::DataEnd;
          break;
        }
        case Conn::DataEnd: {
          // The CRLF after a chunk's data.
          char ch = data.front();
          data.remove_prefix(1);
          if (ch == '\n') c.state = Conn::Size;
          break;
        }
      }
    }
    if (seen) {
      c.events.fetch_add(seen, std::memory_order_relaxed);
      events_.fetch_add(seen, std::memory_order_relaxed);
      last_event_.store(Clock::now().time_since_epoch().count());
    }
  }

  asio::io_context io_;
  tcp::endpoint endpoint_;
  std::string request_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::thread thread_;
  std::atomic<int> established_{0}, failed_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<Clock::rep> last_event_{0};
  mutable std::mutex mu_;
  std::string first_error_;
};

// ---------------------------------------------------------------------------------------
// Figures and the table.

struct Row {
  std::string what;
  std::string figure;
  std::string target;
  std::string verdict;  // MET, MISSED or empty
};
std::vector<Row> rows;

void add_row(std::string what, std::string figure, std::string target = "", std::optional<bool> met = {}) {
  std::string verdict = met ? (*met ? "MET" : "MISSED") : "";
  std::printf("  %-52s %s\n", what.c_str(), figure.c_str());
  std::fflush(stdout);
  rows.push_back({std::move(what), std::move(figure), std::move(target), std::move(verdict)});
}

template <class... A>
std::string fmt(const char* format, A... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

void note(const std::string& text) {
  std::printf("    (%s)\n", text.c_str());
  std::fflush(stdout);
}

double percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  auto nth = samples.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), nth, samples.end());
  return *nth;
}

std::string load_average() {
  double l[3] = {0, 0, 0};
  if (::getloadavg(l, 3) != 3) return "?";
  return fmt("%.2f %.2f %.2f", l[0], l[1], l[2]);
}

// A small pod as `kubectl run` would send it.
std::string pod_json(std::string_view name) {
  std::string out = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")";
  out.append(name);
  out.append(
      R"(","labels":{"app":"bench","tier":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25",)"
      R"("ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}],)"
      R"("restartPolicy":"Always"}})");
  return out;
}

Load::MakeRequest creates(std::string ns, std::string prefix) {
  std::string target = "/api/v1/namespaces/" + ns + "/pods";
  return [target, prefix](uint64_t seq, std::string& out) {
    out = request_text("POST", target, pod_json(prefix + std::to_string(seq)));
  };
}

Load::MakeRequest constant(std::string request) {
  return [request = std::move(request)](uint64_t, std::string& out) { out = request; };
}

void check(const LoadResult& r, const char* what) {
  if (r.bad || r.errors)
    note(fmt("%s: %llu unexpected responses, %llu lost connections%s%s", what,
             static_cast<unsigned long long>(r.bad), static_cast<unsigned long long>(r.errors),
             r.first_bad.empty() ? "" : "; first: ", r.first_bad.c_str()));
}

struct Config {
  fs::path ukube;
  double seconds = 5;
  int connections = 32;
  // Durable writes per second are the writes waiting together for one fsync divided by
  // its latency, so writers need more connections than readers to be measured at all.
  int write_connections = 128;
  int watchers = 1000;
  uint64_t watch_pods = 1000;
  uint64_t list_pods = 10'000;
  bool nginx = true;
  std::string only;
};

// A client TLS context trusting a node's cluster CA and presenting its admin certificate.
class TlsContext {
 public:
  explicit TlsContext(const fs::path& pki) : ctx_(SSL_CTX_new(TLS_client_method())) {
    if (SSL_CTX_load_verify_locations(ctx_, (pki / "ca.crt").c_str(), nullptr) != 1 ||
        SSL_CTX_use_certificate_file(ctx_, (pki / "admin.crt").c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, (pki / "admin.key").c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("cannot load the cluster CA and admin certificate from " + pki.string());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  }
  ~TlsContext() { SSL_CTX_free(ctx_); }
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  SSL_CTX* ctx_;
};

// One request over a fresh HTTPS connection, for setup and readiness.
Reply tls_call(uint16_t port, SSL_CTX* ctx, std::string_view method, std::string_view target,
               std::string_view body = {}) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx), SSL_free);
  auto fail = [&](const char* what) {
    ::close(fd);
    throw std::runtime_error(std::string("HTTPS ") + what + " failed");
  };
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("connect");
  SSL_set_fd(ssl.get(), fd);
  if (SSL_connect(ssl.get()) != 1) fail("handshake");
  std::string request = request_text(method, target, body);
  if (SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) <= 0) fail("write");
  std::string in;
  char buf[16 * 1024];
  for (;;) {
    if (auto head = parse_head(in);
        head && !head->chunked && in.size() >= head->length + head->content_length) {
      ::close(fd);
      return {head->status, in.substr(head->length, head->content_length)};
    }
    int n = SSL_read(ssl.get(), buf, sizeof buf);
    if (n <= 0) fail("read");
    in.append(buf, static_cast<size_t>(n));
  }
}

// How a benchmarked daemon serves: plain HTTP for the server's own figures; HTTPS with
// x509 authentication and RBAC as `make run` does, or HTTPS allowing everyone, to price
// authentication and authorization.
enum class Security { PlainHttp, TlsRbac, TlsOpen };

// The daemon, up and answering: its port and how long /readyz took to say 200.
struct Daemon {
  std::unique_ptr<Child> child;
  uint16_t port = 0;
  double ready_ms = -1;
  double ready_cpu_ms = -1;         // CPU the daemon had used by then
  std::unique_ptr<TlsContext> tls;  // HTTPS daemons: the admin's client context
};

uint16_t port_from_kubeconfig(const fs::path& file) {
  std::string text = read_text(file);
  auto at = text.find("server: http");
  if (at == std::string::npos) return 0;
  auto colon = text.find(':', text.find("//", at) + 2);
  if (colon == std::string::npos) return 0;
  return static_cast<uint16_t>(std::atoi(text.c_str() + colon + 1));
}

Daemon start_daemon(const Config& config, const fs::path& dir, Security security = Security::PlainHttp) {
  fs::create_directories(dir / "data");
  {
    std::ofstream cfg(dir / "ukube.yaml");
    cfg << "data_dir: " << (dir / "data").string() << "\n"
        << "log_level: " << (security == Security::TlsOpen ? "error" : "warn") << "\n"
        << "plugins:\n"
        << "  - uri: ukube.types.v1.builtin\n"
        << "  - uri: ukube.types.v1.apiextensions\n";
    if (security == Security::TlsRbac)
      cfg << "  - uri: ukube.authenticator.v1.x509\n"
          << "  - uri: ukube.authorizer.v1.rbac\n";
    cfg << "  - uri: ukube.apiserver.v1.apiserver\n";
    // Plain HTTP keeps TLS out of the server's own figures (and nginx serves plain HTTP too).
    if (security == Security::PlainHttp)
      cfg << "    config: {listen: \"127.0.0.1:0\", insecure_plain_http: true}\n";
    else
      cfg << "    config: {listen: \"127.0.0.1:0\"}\n";
  }
  Daemon d;
  const fs::path kubeconfig = dir / "data" / "admin.kubeconfig";
  // Waiting for the kubeconfig costs no CPU (the daemon is starting on the same cores):
  // inotify wakes us when a file lands in the data directory.
  const int changes = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  ::inotify_add_watch(changes, (dir / "data").c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);
  d.child = std::make_unique<Child>(
      std::vector<std::string>{config.ukube.string(), "--config", (dir / "ukube.yaml").string()},
      dir / "daemon.log");
  // The file appears once the port is bound; a request sent then waits in the listen
  // backlog until the server runs, and /readyz says 200 once every plugin has started
  // (asked again every 100 us until then).
  auto deadline = d.child->started() + std::chrono::seconds(30);
  while (Clock::now() < deadline && d.child->running()) {
    if (!d.port && fs::exists(kubeconfig)) {
      d.port = port_from_kubeconfig(kubeconfig);
      ::close(changes);
    }
    if (!d.port) {
      pollfd p{changes, POLLIN, 0};
      ::poll(&p, 1, 5);
      char events[4096];
      while (::read(changes, events, sizeof events) > 0) {
      }
      continue;
    }
    if (d.port) {
      try {
        if (security != Security::PlainHttp && !d.tls)
          d.tls = std::make_unique<TlsContext>(dir / "data" / "pki");
        const int status = d.tls ? tls_call(d.port, d.tls->get(), "GET", "/readyz").status
                                 : SyncClient(d.port).call("GET", "/readyz").status;
        if (status == 200) {
          d.ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - d.child->started()).count();
          d.ready_cpu_ms = group_cpu_seconds(d.child->pid()) * 1000;
          return d;
        }
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  if (!d.port) ::close(changes);
  throw std::runtime_error("the daemon did not become ready; its log:\n" + read_text(dir / "daemon.log"));
}

// The disk's own fdatasync latency, which bounds durable writes: see write_connections.
double fdatasync_latency_us(const fs::path& dir) {
  const fs::path probe = dir / "fsync-probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  std::string block(16 * 1024, 'x');
  constexpr int kRounds = 100;
  auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i)
    if (::write(fd, block.data(), block.size()) < 0 || ::fdatasync(fd) != 0) break;
  double us = seconds_since(start) * 1e6 / kRounds;
  ::close(fd);
  fs::remove(probe);
  return us;
}

// The daemon's process (and group) id, whose CPU time the figures report.
pid_t g_daemon = 0;

// Every pod in the store, as /metrics counts them.
long long stored_pods(uint16_t port) {
  SyncClient client(port);
  Reply r = client.call("GET", "/metrics");
  constexpr std::string_view kGauge = "apiserver_storage_objects{resource=\"pods\"} ";
  auto at = r.body.find(kGauge);
  if (r.status != 200 || at == std::string::npos) return -1;
  return std::atoll(r.body.c_str() + at + kGauge.size());
}

void create_namespace(uint16_t port, const std::string& name) {
  SyncClient client(port);
  Reply r = client.call("POST", "/api/v1/namespaces",
                        R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name + R"("}})");
  if (r.status != 201) throw std::runtime_error("creating namespace " + name + ": " + r.body);
}

double bench_creates(const Config& config, uint16_t port) {
  LoadOptions o;
  o.connections = config.write_connections;
  o.warmup = 1;
  o.duration = config.seconds;
  o.expect_status = 201;
  o.server_group = g_daemon;
  LoadResult r = Load(port, o, creates("bench", "create-")).run();
  add_row("pod creates/s (POST, " + std::to_string(o.connections) + " connections)",
          fmt("%9.0f /s   (p50 %.2f ms, p99 %.2f ms; CPU per create: server %.0f us, loader %.0f us)",
              r.rate(), percentile(r.latency_us, 0.5) / 1000, percentile(r.latency_us, 0.99) / 1000,
              r.cpu_us(), r.loader_us()),
          ">= 20,000 /s", r.rate() >= 20'000);
  check(r, "creates");
  return r.rate();
}

// A custom resource with a 20-field schema (types, enums, bounds, patterns, a nested
// object, a list map) and two CEL rules, as operators' resources look; every create is
// pruned, defaulted and validated against it.
const char* const kBenchCrd =
    R"json({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
"metadata":{"name":"things.bench.example.com"},
"spec":{"group":"bench.example.com","scope":"Namespaced","names":{"plural":"things","kind":"Thing"},
"versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","required":["image","replicas"],
"x-kubernetes-validations":[
  {"rule":"self.replicas <= 50 || self.tier != 'web'","message":"web tiers run at most 50 replicas"},
  {"rule":"!has(self.ports) || self.ports.all(p, p.number > 0 && p.number < 65536)"}],
"properties":{
"image":{"type":"string","minLength":1},"replicas":{"type":"integer","minimum":0,"maximum":100},
"tier":{"type":"string","enum":["web","worker","batch"]},"paused":{"type":"boolean","default":false},
"owner":{"type":"string","pattern":"^[a-z][a-z0-9-]*$"},"priority":{"type":"integer","default":50},
"ratio":{"type":"number","minimum":0,"maximum":1},"region":{"type":"string","maxLength":32},
"zone":{"type":"string"},"port":{"x-kubernetes-int-or-string":true},
"timeout":{"type":"string","format":"duration"},"created":{"type":"string","format":"date-time"},
"labels":{"type":"object","additionalProperties":{"type":"string"}},
"tags":{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"set"},
"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
  "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"number":{"type":"integer"}}}},
"resources":{"type":"object","properties":{"cpu":{"type":"string"},"memory":{"type":"string"}}},
"retries":{"type":"integer","minimum":0,"default":3},"mode":{"type":"string","enum":["fast","safe"],"default":"safe"},
"email":{"type":"string","format":"email"},"notes":{"type":"string"}}},
"status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}})json";

std::string thing_json(std::string_view name) {
  std::string out = R"({"apiVersion":"bench.example.com/v1","kind":"Thing","metadata":{"name":")";
  out.append(name);
  out.append(
      R"(","labels":{"app":"bench"}},"spec":{"image":"nginx:1.25","replicas":3,"tier":"web","owner":"team-a",)"
      R"("ratio":0.5,"region":"eu-west","zone":"a","port":"http","timeout":"30s","created":"2024-05-01T10:00:00Z",)"
      R"("labels":{"a":"b"},"tags":["x","y"],"ports":[{"name":"http","number":80},{"name":"https","number":443}],)"
      R"("resources":{"cpu":"100m","memory":"64Mi"},"email":"ops@example.com","notes":"a bench thing"}})");
  return out;
}

// A ConfigMap of about the same size, for the side-by-side rate.
std::string configmap_json(std::string_view name) {
  std::string out = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")";
  out.append(name);
  out.append(R"(","labels":{"app":"bench"}},"data":{)");
  for (int i = 0; i < 20; ++i) out += (i ? "," : "") + fmt(R"("key%02d":"value number %02d")", i, i);
  return out + "}}";
}

Load::MakeRequest posts(std::string target, std::string (*body)(std::string_view), std::string prefix) {
  return [target = std::move(target), body, prefix = std::move(prefix)](uint64_t seq, std::string& out) {
    out = request_text("POST", target, body(prefix + std::to_string(seq)));
  };
}

// ConfigMap creates and custom resource creates on one daemon, in alternating rounds.
void bench_custom_resources(const Config& config, uint16_t port) {
  create_namespace(port, "bench-cr");
  {
    SyncClient client(port);
    Reply r = client.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", kBenchCrd);
    if (r.status != 201) throw std::runtime_error("creating the bench CustomResourceDefinition: " + r.body);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (client.call("GET", "/apis/bench.example.com/v1/namespaces/bench-cr/things").status != 200) {
      if (Clock::now() > deadline)
        throw std::runtime_error("the bench CustomResourceDefinition was not served");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Interleaved rounds, so that a slow stretch of this shared machine, or a store grown by
  // the first kind, does not land on one kind only.
  LoadOptions o;
  o.connections = config.write_connections;
  o.warmup = 0.5;
  o.duration = config.seconds / 2;
  o.expect_status = 201;
  o.server_group = g_daemon;
  constexpr int kRounds = 3;
  double map_rate = 0, thing_rate = 0, map_cpu = 0, thing_cpu = 0, map_p99 = 0, thing_p99 = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string suffix = std::to_string(round) + "-";
    LoadResult maps =
        Load(port, o, posts("/api/v1/namespaces/bench-cr/configmaps", configmap_json, "cm-" + suffix)).run();
    check(maps, "configmap creates");
    LoadResult things =
        Load(port, o,
             posts("/apis/bench.example.com/v1/namespaces/bench-cr/things", thing_json, "thing-" + suffix))
            .run();
    check(things, "custom resource creates");
    map_rate += maps.rate() / kRounds;
    thing_rate += things.rate() / kRounds;
    map_cpu += maps.cpu_us() / kRounds;
    thing_cpu += things.cpu_us() / kRounds;
    map_p99 = std::max(map_p99, percentile(maps.latency_us, 0.99) / 1000);
    thing_p99 = std::max(thing_p99, percentile(things.latency_us, 0.99) / 1000);
  }
  add_row("ConfigMap creates/s (20 keys)",
          fmt("%9.0f /s   (p99 %.2f ms; server CPU per create %.0f us)", map_rate, map_p99, map_cpu));
  const double share = map_rate > 0 ? thing_rate / map_rate : 0;
  add_row("custom resource creates/s (20-field schema)",
          fmt("%9.0f /s   (%.0f%% of ConfigMaps; p99 %.2f ms; server CPU per create %.0f us)", thing_rate,
              share * 100, thing_p99, thing_cpu),
          ">= 80% of ConfigMap", share >= 0.8);
}

LoadResult get_load(const Config& config, uint16_t port, const std::string& target, pid_t server) {
  LoadOptions o;
  o.server_group = server;
  o.connections = config.connections;
  o.warmup = 1;
  o.duration = config.seconds;
  return Load(port, o, constant(request_text("GET", target))).run();
}

// What authentication and authorization cost a GET: two HTTPS daemons side by side, one
// with x509 + RBAC (as `make run`), one allowing everyone, under the same load in turns.
void bench_auth_cost(const Config& config) {
  ScratchDir secured_dir("auth-rbac"), open_dir("auth-open");
  Daemon secured = start_daemon(config, secured_dir.path(), Security::TlsRbac);
  Daemon open = start_daemon(config, open_dir.path(), Security::TlsOpen);
  const std::string target = "/api/v1/namespaces/default/pods/auth-target";
  for (Daemon* d : {&secured, &open}) {
    Reply created =
        tls_call(d->port, d->tls->get(), "POST", "/api/v1/namespaces/default/pods", pod_json("auth-target"));
    if (created.status != 201) throw std::runtime_error("creating the pod to GET: " + created.body);
  }
  constexpr int kRounds = 3;
  std::vector<double> rates[2], cpu[2];
  for (int round = 0; round < kRounds; ++round)
    for (int side = 0; side < 2; ++side) {
      Daemon& d = side == 0 ? secured : open;
      LoadOptions o;
      o.server_group = d.child->pid();
      o.connections = config.connections;
      o.warmup = 0.5;
      o.duration = std::max(1.0, config.seconds / 2);
      o.tls = d.tls->get();
      LoadResult r = Load(d.port, o, constant(request_text("GET", target))).run();
      check(r, side == 0 ? "GETs over TLS with x509 + RBAC" : "GETs over TLS, allow-all");
      rates[side].push_back(r.rate());
      cpu[side].push_back(r.cpu_us());
    }
  auto median = [](std::vector<double> v) { return percentile(std::move(v), 0.5); };
  const double with_auth = median(rates[0]), without = median(rates[1]);
  add_row(
      "pod GETs/s over TLS, x509 client cert + RBAC",
      fmt("%9.0f /s   (median of %d turns; server CPU per GET %.0f us)", with_auth, kRounds, median(cpu[0])));
  add_row("pod GETs/s over TLS, allow-all config",
          fmt("%9.0f /s   (server CPU per GET %.0f us)", without, median(cpu[1])));
  const double slowdown = without > 0 ? (1 - with_auth / without) * 100 : 0;
  add_row("authentication + RBAC slowdown", fmt("%9.1f %%", slowdown), "<= 10%", slowdown <= 10);
  secured.child->stop();
  open.child->stop();
}

// nginx serving `body` at `target` from a file: the ceiling for a GET over this loopback
// with this load generator.
std::optional<double> nginx_get_rate(const Config& config, const std::string& target, const std::string& body,
                                     unsigned workers) {
  if (::access("/usr/sbin/nginx", X_OK) != 0) {
    note("nginx is not installed (packaging/install-deps.sh installs it); no comparison");
    return std::nullopt;
  }
  ScratchDir dir("nginx");
  std::ofstream(dir.path() / "pod.json") << body;
  const uint16_t port = free_port();
  const fs::path d = dir.path();
  {
    std::ofstream conf(d / "nginx.conf");
    if (::geteuid() == 0) conf << "user root;\n";  // the workers must read the scratch directory
    conf << "worker_processes " << workers << ";\n"
         << "daemon off;\nmaster_process on;\n"
         << "pid " << (d / "nginx.pid").string() << ";\n"
         << "error_log " << (d / "error.log").string() << " warn;\n"
         << "events { worker_connections 4096; }\n"
         << "http {\n"
         << "  access_log off;\n"
         << "  client_body_temp_path " << d.string() << "/body;\n"
         << "  proxy_temp_path " << d.string() << "/proxy;\n"
         << "  fastcgi_temp_path " << d.string() << "/fastcgi;\n"
         << "  uwsgi_temp_path " << d.string() << "/uwsgi;\n"
         << "  scgi_temp_path " << d.string() << "/scgi;\n"
         << "  keepalive_requests 100000000;\n"
         << "  open_file_cache max=16 inactive=600s;\n"
         << "  open_file_cache_valid 600s;\n"
         << "  sendfile on;\n"
         << "  tcp_nodelay on;\n"
         << "  server {\n"
         << "    listen 127.0.0.1:" << port << ";\n"
         << "    location = " << target << " {\n"
         << "      default_type application/json;\n"
         << "      alias " << (d / "pod.json").string() << ";\n"
         << "    }\n"
         << "  }\n"
         << "}\n";
  }
  Child nginx({"/usr/sbin/nginx", "-e", (d / "error.log").string(), "-p", d.string(), "-c",
               (d / "nginx.conf").string()},
              d / "nginx.out");
  bool up = false;
  for (int i = 0; i < 500 && !up && nginx.running(); ++i) {
    try {
      SyncClient probe(port);
      Reply r = probe.call("GET", target);
      up = r.status == 200 && r.body == body;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!up) {
    note("nginx did not serve the pod: " + read_text(d / "nginx.out") + read_text(d / "error.log"));
    return std::nullopt;
  }
  LoadResult r = get_load(config, port, target, nginx.pid());
  check(r, "nginx GETs");
  add_row("nginx GETs/s of the same bytes (" + std::to_string(workers) + " workers)",
          fmt("%9.0f /s   (p50 %.2f ms, p99 %.2f ms; CPU per GET: server %.1f us, loader %.1f us)", r.rate(),
              percentile(r.latency_us, 0.5) / 1000, percentile(r.latency_us, 0.99) / 1000, r.cpu_us(),
              r.loader_us()));
  nginx.stop();
  return r.rate();
}

void bench_gets(const Config& config, uint16_t port) {
  const std::string target = "/api/v1/namespaces/bench/pods/get-target";
  std::string body;
  {
    SyncClient client(port);
    Reply created = client.call("POST", "/api/v1/namespaces/bench/pods", pod_json("get-target"));
    if (created.status != 201) throw std::runtime_error("creating the GET target: " + created.body);
    body = client.call("GET", target).body;
  }
  LoadResult r = get_load(config, port, target, g_daemon);
  add_row("pod GETs/s (" + std::to_string(config.connections) + " connections, " +
              std::to_string(body.size()) + " B body)",
          fmt("%9.0f /s   (p50 %.2f ms, p99 %.2f ms; CPU per GET: server %.1f us, loader %.1f us)", r.rate(),
              percentile(r.latency_us, 0.5) / 1000, percentile(r.latency_us, 0.99) / 1000, r.cpu_us(),
              r.loader_us()),
          ">= 50,000 /s", r.rate() >= 50'000);
  check(r, "GETs");
  if (!config.nginx) return;
  // As many nginx workers as the API server has event-loop threads (its default is 2).
  auto nginx = nginx_get_rate(config, target, body, 2);
  if (!nginx) return;
  double ratio = r.rate() / *nginx;
  add_row("ukube GETs/s : nginx GETs/s", fmt("%9.0f : %.0f = %.0f%%", r.rate(), *nginx, ratio * 100),
          ">= 50% of nginx", ratio >= 0.5);
}

void bench_list(const Config& config, uint16_t port) {
  create_namespace(port, "bench-list");
  LoadOptions o;
  o.connections = config.write_connections;
  o.total = config.list_pods;
  o.expect_status = 201;
  LoadResult filled = Load(port, o, creates("bench-list", "listed-")).run();
  check(filled, "creating the listed pods");
  SyncClient client(port);
  std::vector<double> ms;
  const double cpu_before = group_cpu_seconds(g_daemon);
  size_t bytes = 0;
  for (int i = 0; i < 40; ++i) {
    auto start = Clock::now();
    Reply r = client.call("GET", "/api/v1/namespaces/bench-list/pods");
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (r.status != 200) throw std::runtime_error("LIST answered " + std::to_string(r.status));
    bytes = r.body.size();
  }
  const double cpu_ms = (group_cpu_seconds(g_daemon) - cpu_before) * 1000 / static_cast<double>(ms.size());
  double p50 = percentile(ms, 0.5), p99 = percentile(ms, 0.99);
  add_row("LIST of " + std::to_string(filled.ok) + " pods p50 / p99 (40 lists)",
          fmt("%9.1f ms / %.1f ms  (%.1f MiB; %.1f ms CPU each)", p50, p99,
              static_cast<double>(bytes) / (1 << 20), cpu_ms),
          "p50 <= 100 ms", p50 <= 100);
}

void bench_watch(const Config& config, uint16_t port) {
  create_namespace(port, "bench-watch");
  const int n = config.watchers;
  Watchers watchers(port, n, "/api/v1/namespaces/bench-watch/pods?watch=true");
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (watchers.established() + watchers.failed() < n && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (watchers.established() < n) {
    note(fmt("only %d of %d watches opened; first error: %s", watchers.established(), n,
             watchers.first_error().c_str()));
    if (watchers.established() == 0) return;
  }
  const int open = watchers.established();
  const uint64_t expected = config.watch_pods * static_cast<uint64_t>(open);
  LoadOptions o;
  o.connections = 8;
  o.total = config.watch_pods;
  o.expect_status = 201;
  const double cpu_before = group_cpu_seconds(g_daemon);
  auto start = Clock::now();
  LoadResult created = Load(port, o, creates("bench-watch", "watched-")).run();
  check(created, "creating the watched pods");
  // Done when every event has arrived or nothing has arrived for 5 s.
  uint64_t last = 0;
  auto progress = Clock::now();
  while (watchers.events() < expected && seconds_since(progress) < 5) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (watchers.events() != last) {
      last = watchers.events();
      progress = Clock::now();
    }
  }
  const uint64_t got = watchers.events();
  const double took = std::chrono::duration<double>(watchers.last_event() - start).count();
  // Includes the creates, a small share next to a thousand deliveries each.
  const double cpu_us =
      (group_cpu_seconds(g_daemon) - cpu_before) * 1e6 / static_cast<double>(std::max<uint64_t>(got, 1));
  add_row(
      "watch events/s to " + std::to_string(open) + " watchers (" + std::to_string(config.watch_pods) +
          " creates)",
      fmt("%9.0f /s   (%.2f s for all; creates at %.0f /s; server CPU %.1f us per event)",
          static_cast<double>(got) / took, took, static_cast<double>(created.ok) / created.seconds, cpu_us));
  if (got < expected)
    note(fmt("%llu of %llu events arrived; %d watchers saw every event", static_cast<unsigned long long>(got),
             static_cast<unsigned long long>(expected), watchers.caught_up(config.watch_pods)));
  watchers.stop();
}

void print_table(const std::string& load_before) {
  std::printf("\n%-52s %-17s %-7s %s\n", "figure", "target", "verdict", "measured");
  std::printf("%s\n", std::string(140, '-').c_str());
  for (const auto& row : rows)
    std::printf("%-52s %-17s %-7s %s\n", row.what.c_str(), row.target.c_str(), row.verdict.c_str(),
                row.figure.c_str());
  std::printf("\nload average before: %s, after: %s (%ld cores)\n", load_before.c_str(),
              load_average().c_str(), ::sysconf(_SC_NPROCESSORS_ONLN));
}

int usage() {
  std::fprintf(
      stderr,
      "usage: apiserver_bench [--seconds=N] [--connections=N] [--write-connections=N] [--watchers=N]\n"
      "                       [--watch-pods=N]\n"
      "                       [--list-pods=N] [--no-nginx] [--only=start|creates|crd|gets|list|watch]\n"
      "                       [--ukube=PATH]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  config.ukube = fs::canonical("/proc/self/exe").parent_path() / "ukube";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      std::string prefix = std::string("--") + name + "=";
      if (arg.starts_with(prefix)) return arg.substr(prefix.size());
      return std::nullopt;
    };
    if (auto v = value("seconds")) {
      config.seconds = std::stod(*v);
    } else if (auto v = value("connections")) {
      config.connections = std::stoi(*v);
    } else if (auto v = value("write-connections")) {
      config.write_connections = std::stoi(*v);
    } else if (auto v = value("watchers")) {
      config.watchers = std::stoi(*v);
    } else if (auto v = value("watch-pods")) {
      config.watch_pods = std::stoull(*v);
    } else if (auto v = value("list-pods")) {
      config.list_pods = std::stoull(*v);
    } else if (auto v = value("only")) {
      config.only = *v;
    } else if (auto v = value("ukube")) {
      config.ukube = *v;
    } else if (arg == "--no-nginx") {
      config.nginx = false;
    } else {
      return usage();
    }
  }
  if (!fs::exists(config.ukube)) {
    std::fprintf(stderr, "apiserver_bench: no daemon at %s (build the ukube target)\n", config.ukube.c_str());
    return 1;
  }
  clean_up_on_signal();
  ::signal(SIGPIPE, SIG_IGN);
  // A thousand watch connections on each side of loopback; the daemon inherits the limit.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  auto run = [&](const char* group) { return config.only.empty() || config.only == group; };
  const std::string load_before = load_average();
  auto started = Clock::now();
  try {
    ScratchDir dir("apiserver");
    std::printf(
        "ukube API server benchmark (%ld cores, load average %s; one load-generator thread; fdatasync of "
        "16 KiB takes %.0f us on this disk)\n\n",
        ::sysconf(_SC_NPROCESSORS_ONLN), load_before.c_str(), fdatasync_latency_us(dir.path()));
    Daemon daemon = start_daemon(config, dir.path());
    const pid_t pid = daemon.child->pid();
    g_daemon = pid;
    add_row("exec to first 200 from /readyz",
            fmt("%9.1f ms   (%.0f ms CPU by then)", daemon.ready_ms, daemon.ready_cpu_ms), "<= 200 ms",
            daemon.ready_ms <= 200);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double idle = rss_mb(pid);
    add_row("idle daemon RSS after start (VmRSS)", fmt("%9.1f MB", idle), "<= 30 MB", idle <= 30);
    create_namespace(daemon.port, "bench");
    if (run("creates")) bench_creates(config, daemon.port);
    if (run("crd")) bench_custom_resources(config, daemon.port);
    if (run("gets")) bench_gets(config, daemon.port);
    if (run("list")) bench_list(config, daemon.port);
    if (run("watch")) bench_watch(config, daemon.port);
    if (run("auth")) bench_auth_cost(config);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    add_row("idle daemon RSS after the load (VmRSS)",
            fmt("%9.1f MB   (%lld pods stored, %d threads)", rss_mb(pid), stored_pods(daemon.port),
                status_field(pid, "Threads:")));
    if (!daemon.child->running())
      note("the daemon exited during the run; its log:\n" + read_text(dir.path() / "daemon.log"));
    daemon.child->stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "apiserver_bench: %s\n", e.what());
    print_table(load_before);
    return 1;
  }
  print_table(load_before);
  std::printf("apiserver figures took %.0f s\n", seconds_since(started));
  return 0;
}
