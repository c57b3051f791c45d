// proxy_bench: the service proxy's figures, each beside its baseline in the same run, all
// inside network namespaces this benchmark makes and removes (root only; not a ctest):
//  1. nft sync time for 10,000 Services x 10 endpoints, from scratch and for one changed
//     endpoint (targets: <= 1 s and <= 20 ms), beside iptables-restore of the same Services
//     as kube-proxy's iptables mode writes them;
//  2. TCP connections per second to a Service address through the proxy's rules, as a ratio
//     of those straight to the pod's address (target >= 0.9).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "proxy/nft_rules.h"
#include "tests/support/pod_network.h"

namespace {

using ukube::proxy::Endpoint;
using ukube::proxy::RulesetSettings;
using ukube::proxy::ServicePort;
using ukube::proxy::ServiceRules;
using ukube::proxy::Transaction;
using ukube::testing::TestNetns;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The n-th address from 10.<base>.0.1 on, 250 to a /24, into the next /16s past 62,500.
std::string ip(int base, int n) {
  return "10." + std::to_string(base + n / 62500) + "." + std::to_string(n / 250 % 250) + "." +
         std::to_string(n % 250 + 1);
}

std::vector<ServicePort> services(int count, int endpoints) {
  std::vector<ServicePort> out;
  for (int s = 0; s < count; ++s) {
    ServicePort sp;
    sp.service = "bench/svc-" + std::to_string(s);
    sp.protocol = "tcp";
    sp.port = 80;
    sp.cluster_ips = {ip(43, s)};
    for (int e = 0; e < endpoints; ++e) sp.internal_endpoints.push_back({ip(40, s * endpoints + e), 8080});
    sp.external_endpoints = sp.internal_endpoints;
    out.push_back(std::move(sp));
  }
  return out;
}

// Runs `script` with `program` (nft -f, iptables-restore) in `netns`; milliseconds taken.
// Throws std::runtime_error with the program's message when it refused the script: a time
// for a refused transaction is no figure.
double apply_in(const TestNetns& netns, const std::string& program, const std::string& script) {
  const std::string file = "/tmp/ukube-proxy-bench-" + std::to_string(::getpid());
  std::ofstream(file) << script;
  const auto start = Clock::now();
  auto result = netns.exec(program + " " + file);
  const double took = ms_since(start);
  std::filesystem::remove(file);
  if (!result.ok()) throw std::runtime_error(program + " failed: " + result.out.substr(0, 500));
  return took;
}

// kube-proxy's iptables mode for the same Services: KUBE-SERVICES jumps per cluster IP, a
// KUBE-SVC chain of statistic rules per Service, a KUBE-SEP chain per endpoint.
std::string iptables_rules(const std::vector<ServicePort>& ports) {
  std::string chains = "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n";
  std::string rules = "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000\n";
  for (size_t s = 0; s < ports.size(); ++s) {
    const auto& sp = ports[s];
    const std::string svc = "KUBE-SVC-" + std::to_string(s);
    chains += ":" + svc + " - [0:0]\n";
    rules += "-A KUBE-SERVICES -d " + sp.cluster_ips[0] + "/32 -p tcp --dport 80 -j " + svc + "\n";
    const size_t n = sp.internal_endpoints.size();
    for (size_t e = 0; e < n; ++e) {
      const std::string sep = "KUBE-SEP-" + std::to_string(s) + "-" + std::to_string(e);
      chains += ":" + sep + " - [0:0]\n";
      char probability[32];
      std::snprintf(probability, sizeof probability, "%.10f", 1.0 / static_cast<double>(n - e));
      rules += "-A " + svc +
               (e + 1 < n ? " -m statistic --mode random --probability " + std::string(probability) : "") +
               " -j " + sep + "\n";
      const auto& ep = sp.internal_endpoints[e];
      rules += "-A " + sep + " -s " + ep.ip + "/32 -j KUBE-MARK-MASQ\n";
      rules +=
          "-A " + sep + " -p tcp -j DNAT --to-destination " + ep.ip + ":" + std::to_string(ep.port) + "\n";
    }
  }
  return chains + rules + "COMMIT\n";
}

void sync_figures() {
  TestNetns netns("ukt-proxy-bench");
  RulesetSettings settings;
  settings.table = "bench";
  auto ports = services(10000, 10);
  ukube::proxy::EndpointKeys keys;
  // From scratch: the rules computed and the whole table written in one transaction.
  auto start = Clock::now();
  Transaction::ElementCounts counts;
  Transaction full(settings.table);
  full.use_counts(&counts);
  std::vector<ServiceRules> rules;
  rules.reserve(ports.size());
  for (const auto& sp : ports) {
    rules.push_back(ukube::proxy::rules_for({sp}, settings, keys));
    full.change({}, rules.back());
  }
  const std::string script = ukube::proxy::fresh_table(settings) + full.text();
  const double compute_full = ms_since(start);
  const double apply_full = apply_in(netns, "nft -f", script);
  // One endpoint of one Service changes.
  start = Clock::now();
  ServicePort changed = ports[5000];
  changed.internal_endpoints[3].ip = "10.44.0.1";
  changed.external_endpoints = changed.internal_endpoints;
  ServiceRules after = ukube::proxy::rules_for({changed}, settings, keys);
  Transaction one(settings.table);
  one.use_counts(&counts);
  one.change(rules[5000], after);
  const std::string delta = one.text();
  const double compute_one = ms_since(start);
  const double apply_one = apply_in(netns, "nft -f", delta);
  // The baseline: the same Services as iptables-restore input.
  const std::string iptables = iptables_rules(ports);
  const double iptables_full = apply_in(netns, "iptables-restore", iptables);

  std::printf("proxy sync, 10,000 Services x 10 endpoints (nft, in a network namespace)\n");
  std::printf("  %-44s %9.1f ms  (compute %.1f + nft %.1f; target <= 1000 ms)\n", "full sync",
              compute_full + apply_full, compute_full, apply_full);
  std::printf("  %-44s %9.1f ms  (compute %.2f + nft %.1f; target <= 20 ms; %zu bytes)\n",
              "one endpoint changed", compute_one + apply_one, compute_one, apply_one, delta.size());
  std::printf("  %-44s %9.1f ms  (%zu rules; baseline, same Services)\n",
              "iptables-restore, kube-proxy iptables rules", iptables_full,
              static_cast<size_t>(10000 * (1 + 10 * 3)));
}

// Accepts and closes connections, in the namespace the thread joined.
void serve(int listener, std::atomic<bool>& stop) {
  while (!stop) {
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd >= 0) ::close(fd);
  }
}

void join_netns(const std::string& name) {
  int fd = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) std::perror(("setns " + name).c_str());
  if (fd >= 0) ::close(fd);
}

// Connections per second to `address`:8080-or-80 for about `seconds`, from this thread.
double connection_rate(const std::string& address, int port, double seconds) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
  const auto start = Clock::now();
  int done = 0;
  while (ms_since(start) < seconds * 1000 && done < 200000) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    linger off{1, 0};  // RST on close: no TIME_WAIT piling up over the run
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, sizeof off);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) ++done;
    ::close(fd);
  }
  return done / (ms_since(start) / 1000);
}

void connection_figures() {
  TestNetns node("ukt-pxb-node"), pod("ukt-pxb-pod");
  if (!ukube::testing::join_node_and_pod(node, pod, "ukt-pxb0", "10.42.249")) {
    std::printf("proxy_bench: cannot make the veth pair between the bench's namespaces\n");
    return;
  }
  RulesetSettings settings;
  settings.table = "bench";
  ServicePort sp;
  sp.service = "bench/web";
  sp.protocol = "tcp";
  sp.port = 80;
  sp.cluster_ips = {"10.43.249.1"};
  sp.internal_endpoints = sp.external_endpoints = {{"10.42.249.2", 8080}};
  ukube::proxy::EndpointKeys keys;
  Transaction tx(settings.table);
  tx.change({}, ukube::proxy::rules_for({sp}, settings, keys));
  apply_in(node, "nft -f", ukube::proxy::fresh_table(settings) + tx.text());

  std::atomic<bool> stop{false};
  int listener = -1;
  std::thread server([&] {
    join_netns("ukt-pxb-pod");
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(8080);
    ::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at);
    ::listen(listener, 4096);
    serve(listener, stop);
  });
  double direct = 0, proxied = 0;
  std::thread client([&] {
    join_netns("ukt-pxb-node");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    direct = connection_rate("10.42.249.2", 8080, 3);
    proxied = connection_rate("10.43.249.1", 80, 3);
  });
  client.join();
  stop = true;
  ::shutdown(listener, SHUT_RDWR);
  server.join();
  ::close(listener);
  std::printf("connections per second, one client thread, node namespace -> pod namespace\n");
  std::printf("  %-44s %9.0f /s  (baseline)\n", "straight to the pod IP", direct);
  std::printf("  %-44s %9.0f /s  ratio %.2f (target >= 0.9)\n", "to the Service IP through the proxy",
              proxied, direct > 0 ? proxied / direct : 0.0);
}

}  // namespace

int main() {
  if (std::string why = ukube::testing::pod_network_unavailable(); !why.empty()) {
    std::printf("proxy_bench: SKIPPED: %s\n", why.c_str());
    return 0;
  }
  try {
    sync_figures();
    connection_figures();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "proxy_bench: FAILED: %s\n", e.what());
    return 1;
  }
  return 0;
}
