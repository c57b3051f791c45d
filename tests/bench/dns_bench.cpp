// dns_bench: the cluster DNS plugin's queries per second, through the real daemon, on
// loopback UDP. A load generator on the node keeps a window of queries in flight and sends a
// bounded number of them (each run also stops after kPhaseLimit):
//  1. cluster names: A queries for 100 Services created with kubectl;
//  2. forwarded names from the cache: A queries for 100 names outside the cluster, answered
//     once by an upstream on 127.0.0.1 (tests/support/loopback_dns.h) and then cached;
//  3. side by side, Debian's dnsmasq (package dnsmasq-base) on another loopback port, serving
//     the same 100 cluster names from a hosts file, and the same forwarded names from its
//     cache.
// The target is >= 50,000 queries/s (CoreDNS reports about 33,700/s on 2 vCPU); beside the
// rate, the server's CPU time per query (user and system, from /proc), which other load on
// the machine does not inflate as it does the rate. Not a ctest;
// `make bench` runs it. UKUBE_DNS_BENCH_QUERIES sets the queries per run (default 200,000).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/cluster_bench.h"
#include "tests/integration/daemon_process.h"
#include "tests/support/loopback_dns.h"
#include "ukube/testing/temp_dir.h"

using namespace ukube::bench;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kServices = 100;
constexpr size_t kWindow = 256;  // queries in flight
constexpr size_t kBatch = 64;    // per sendmmsg / recvmmsg
constexpr std::chrono::seconds kPhaseLimit{30};
constexpr double kTarget = 50000;

std::vector<uint8_t> query(const std::string& name, uint16_t id) {
  std::vector<uint8_t> b = {
      static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start < name.size()) {
    const size_t dot = std::min(name.find('.', start), name.size());
    b.push_back(static_cast<uint8_t>(dot - start));
    b.insert(b.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  b.insert(b.end(), {0, 0, 1, 0, 1});  // root, type A, class IN
  return b;
}

struct Result {
  size_t sent = 0, answered = 0, good = 0;
  double seconds = 0;
  double server_cpu = 0;  // seconds of CPU the server used meanwhile
};

// Sends `total` queries (cycling over `names`) to 127.0.0.1:`port`, at most kWindow in flight;
// `server` is the process answering, whose CPU time is counted.
Result load(uint16_t port, const std::vector<std::string>& names, size_t total, pid_t server) {
  const double cpu_before = cpu_seconds(server);
  std::vector<std::vector<uint8_t>> queries;
  for (size_t i = 0; i < names.size(); ++i) queries.push_back(query(names[i], static_cast<uint16_t>(i)));
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int size = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);

  std::vector<mmsghdr> out(kBatch), in(kBatch);
  std::vector<iovec> out_iov(kBatch), in_iov(kBatch);
  std::vector<std::vector<uint8_t>> in_buf(kBatch, std::vector<uint8_t>(1500));
  Result r;
  size_t in_flight = 0;
  const auto start = Clock::now();
  auto last_progress = start;
  while (Clock::now() - start < kPhaseLimit) {
    // Fill the window.
    size_t n = 0;
    while (n < kBatch && in_flight + n < kWindow && r.sent + n < total) {
      auto& q = queries[(r.sent + n) % queries.size()];
      out_iov[n] = {q.data(), q.size()};
      out[n].msg_hdr = {};
      out[n].msg_hdr.msg_iov = &out_iov[n];
      out[n].msg_hdr.msg_iovlen = 1;
      ++n;
    }
    if (n > 0) {
      const int s = sendmmsg(fd, out.data(), static_cast<unsigned>(n), 0);
      if (s > 0) {
        r.sent += static_cast<size_t>(s);
        in_flight += static_cast<size_t>(s);
      }
    }
    if (in_flight == 0 && r.sent >= total) break;
    // Collect what came back.
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) != 1) {
      // Nothing for a while: what is in flight was lost (UDP); go on without it.
      if (Clock::now() - last_progress > std::chrono::milliseconds(200)) in_flight = 0;
      continue;
    }
    for (size_t i = 0; i < kBatch; ++i) {
      in_iov[i] = {in_buf[i].data(), in_buf[i].size()};
      in[i].msg_hdr = {};
      in[i].msg_hdr.msg_iov = &in_iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }
    const int got = recvmmsg(fd, in.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (got <= 0) continue;
    last_progress = Clock::now();
    for (int i = 0; i < got; ++i) {
      const uint8_t* b = in_buf[static_cast<size_t>(i)].data();
      if (in[static_cast<size_t>(i)].msg_len >= 12 && (b[3] & 0xF) == 0 && (b[6] << 8 | b[7]) > 0) ++r.good;
    }
    r.answered += static_cast<size_t>(got);
    in_flight -= std::min(in_flight, static_cast<size_t>(got));
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.server_cpu = cpu_seconds(server) - cpu_before;
  close(fd);
  return r;
}

void row(const char* what, const Result& r, bool with_target) {
  const double qps = static_cast<double>(r.answered) / r.seconds;
  const double answered = static_cast<double>(std::max<size_t>(r.answered, 1));
  std::printf(
      "%-46s %7zu sent %7zu answered (%5.1f%% with records) %5.2f s %7.0f queries/s  server CPU %4.1f "
      "us/query",
      what, r.sent, r.answered, 100.0 * static_cast<double>(r.good) / answered, r.seconds, qps,
      1e6 * r.server_cpu / answered);
  if (with_target) std::printf("  target >= %.0f/s: %s", kTarget, qps >= kTarget ? "met" : "NOT met");
  std::printf("\n");
  std::fflush(stdout);
}

// Debian's dnsmasq on 127.0.0.1:`port`, serving `hosts` and forwarding to `upstream`; killed
// on destruction.
class Dnsmasq {
 public:
  Dnsmasq(const std::filesystem::path& dir, uint16_t port, const std::string& hosts, uint16_t upstream) {
    std::ofstream(dir / "hosts") << hosts;
    std::vector<std::string> args = {"-k",
                                     "--conf-file=/dev/null",
                                     "--no-resolv",
                                     "--no-hosts",
                                     "--addn-hosts=" + (dir / "hosts").string(),
                                     "--listen-address=127.0.0.1",
                                     "--bind-interfaces",
                                     "--port=" + std::to_string(port),
                                     "--cache-size=10000",
                                     "--server=127.0.0.1#" + std::to_string(upstream),
                                     "--pid-file=" + (dir / "dnsmasq.pid").string()};
    if (geteuid() == 0) args.push_back("--user=root");
    process_ = std::make_unique<ukube::testing::DaemonProcess>(binary(), args, dir / "dnsmasq.log");
  }
  static std::filesystem::path binary() {
    for (const char* p : {"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"})
      if (access(p, X_OK) == 0) return p;
    return {};
  }

 private:
  std::unique_ptr<ukube::testing::DaemonProcess> process_;

 public:
  pid_t pid() const { return process_->pid(); }
};

}  // namespace

int main() {
  const size_t total = std::getenv("UKUBE_DNS_BENCH_QUERIES")
                           ? std::strtoull(std::getenv("UKUBE_DNS_BENCH_QUERIES"), nullptr, 10)
                           : 200000;
  ukube::testing::StaticUpstream upstream("192.0.2.10", 300);
  const uint16_t port = static_cast<uint16_t>(ukube::testing::free_loopback_port());
  Node node("  - uri: ukube.dns.v1.dns\n    config: {listen: [\"127.0.0.1:" + std::to_string(port) +
            "\"], upstream: [\"127.0.0.1:" + std::to_string(upstream.port()) + "\"]}\n");
  if (!node.ready()) {
    std::fprintf(stderr, "dns_bench: the daemon did not start:\n%s\n", node.log().c_str());
    return 1;
  }
  Kubectl kubectl("kubectl", node);
  std::string manifest, hosts;
  std::vector<std::string> cluster_names, outside_names;
  for (int i = 0; i < kServices; ++i) {
    const std::string name = "web-" + std::to_string(i);
    const std::string ip = "10.43.1." + std::to_string(i + 1);
    manifest += "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name +
                "}\nspec:\n  clusterIP: " + ip + "\n  ports: [{name: http, port: 80, protocol: TCP}]\n";
    cluster_names.push_back(name + ".default.svc.cluster.local");
    hosts += ip + " " + cluster_names.back() + "\n";
    outside_names.push_back("host-" + std::to_string(i) + ".example.test");
  }
  CommandResult created = kubectl("create -f -", manifest);
  if (created.exit_code != 0) {
    std::fprintf(stderr, "dns_bench: kubectl create failed:\n%s\n", created.out.c_str());
    return 1;
  }
  const bool served = ukube::testing::eventually(
      [&] { return !ukube::testing::loopback_query(port, cluster_names.back(), ns_t_a).records.empty(); },
      std::chrono::seconds(60));
  if (!served) {
    std::fprintf(stderr, "dns_bench: the services are not answered:\n%s\n", node.log().c_str());
    return 1;
  }
  for (const auto& name : outside_names)
    ukube::testing::loopback_query(port, name, ns_t_a);  // warm the cache

  std::printf("dns_bench: %zu UDP queries per run, %zu in flight, over 127.0.0.1 on %ld cores\n", total,
              kWindow, sysconf(_SC_NPROCESSORS_ONLN));
  row("ukube dns: cluster names (100 Services)", load(port, cluster_names, total, node.daemon().pid()), true);
  const int upstream_before = upstream.queries();
  row("ukube dns: forwarded names, cache hits", load(port, outside_names, total, node.daemon().pid()), true);
  std::printf("%-44s %d queries reached the upstream during the run\n", "",
              upstream.queries() - upstream_before);

  if (Dnsmasq::binary().empty()) {
    std::printf(
        "dnsmasq: not installed (Debian's dnsmasq-base; packaging/install-deps.sh installs it): no "
        "baseline\n");
    return 0;
  }
  ukube::testing::TempDir dir("dns-bench");
  const uint16_t dnsmasq_port = static_cast<uint16_t>(ukube::testing::free_loopback_port());
  Dnsmasq dnsmasq(dir.path(), dnsmasq_port, hosts, upstream.port());
  if (!ukube::testing::eventually(
          [&] {
            return !ukube::testing::loopback_query(dnsmasq_port, cluster_names.back(), ns_t_a)
                        .records.empty();
          },
          std::chrono::seconds(10))) {
    std::printf("dnsmasq: did not answer on 127.0.0.1:%u (see %s): no baseline\n", dnsmasq_port,
                (dir.path() / "dnsmasq.log").c_str());
    return 0;
  }
  for (const auto& name : outside_names) ukube::testing::loopback_query(dnsmasq_port, name, ns_t_a);
  row("dnsmasq (baseline): the same names, hosts file",
      load(dnsmasq_port, cluster_names, total, dnsmasq.pid()), false);
  row("dnsmasq (baseline): forwarded names, cache", load(dnsmasq_port, outside_names, total, dnsmasq.pid()),
      false);
  return 0;
}
