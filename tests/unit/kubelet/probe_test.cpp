#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <thread>

#include "inert_driver.h"
#include "kubelet/probe.h"
#include "kubelet/prober.h"
#include "tests/support/eventually.h"

namespace ukube::kubelet {
namespace {
namespace json = boost::json;
using ukube::testing::eventually;

// A loopback listener on a free port that answers each connection with `reply` (or just
// accepts it), until destroyed.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::string reply = "") : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) close(c);
          return;
        }
        char buf[2048];
        if (!reply_.empty()) {
          [[maybe_unused]] auto n = read(c, buf, sizeof buf);
          [[maybe_unused]] auto w = write(c, reply_.data(), reply_.size());
        }
        close(c);
      }
    });
  }
  ~LoopbackServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

int closed_port() {
  LoopbackServer s;
  return s.port();  // nothing listens there once it is gone
}

// A driver whose only working call is exec_sync, answering what the test says.
class ExecOnlyDriver : public InertDriver {
 public:
  int exit_code = 0;
  std::string output;
  bool simulate = false;
  bool simulated() const override { return simulate; }
  runtime::ExecSyncResult exec_sync(const std::string&, const std::vector<std::string>&,
                                    std::chrono::seconds) override {
    std::lock_guard lock(mutex_);
    ++execs;
    return {output, "", exit_code};
  }
  int executions() {
    std::lock_guard lock(mutex_);
    return execs;
  }

 private:
  std::mutex mutex_;
  int execs = 0;
};

json::object container_with(const std::string& probes) {
  return json::parse(R"({"name": "c", "ports": [{"name": "web", "containerPort": 8080}], )" + probes + "}")
      .as_object();
}

TEST(Probe, ParsesEveryActionWithUpstreamDefaultsAndNamedPorts) {
  json::object c = container_with(
      R"("livenessProbe": {"httpGet": {"path": "/healthz", "port": "web", "httpHeaders": [{"name": "X", "value": "1"}]}},
         "readinessProbe": {"tcpSocket": {"port": 9000}, "periodSeconds": 3, "failureThreshold": 5},
         "startupProbe": {"exec": {"command": ["cat", "/ready"]}, "initialDelaySeconds": 2})");
  auto live = probe_of(c, ProbeKind::Liveness);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->action, ProbeSpec::Action::HttpGet);
  EXPECT_EQ(live->port, 8080);
  EXPECT_EQ(live->path, "/healthz");
  EXPECT_EQ(live->period, std::chrono::seconds(10));
  EXPECT_EQ(live->timeout, std::chrono::seconds(1));
  EXPECT_EQ(live->failure_threshold, 3);
  ASSERT_EQ(live->headers.size(), 1u);
  auto ready = probe_of(c, ProbeKind::Readiness);
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->action, ProbeSpec::Action::TcpSocket);
  EXPECT_EQ(ready->period, std::chrono::seconds(3));
  EXPECT_EQ(ready->failure_threshold, 5);
  auto startup = probe_of(c, ProbeKind::Startup);
  ASSERT_TRUE(startup);
  EXPECT_EQ(startup->command, (std::vector<std::string>{"cat", "/ready"}));
  EXPECT_EQ(startup->initial_delay, std::chrono::seconds(2));
  EXPECT_FALSE(probe_of(container_with(R"("image": "x")"), ProbeKind::Liveness));
}

TEST(Probe, HttpAndTcpProbesOnLoopback) {
  ExecOnlyDriver driver;
  LoopbackServer ok("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  LoopbackServer failing(
      "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  ProbeSpec http;
  http.action = ProbeSpec::Action::HttpGet;
  http.port = ok.port();
  ProbeTarget target{&driver, "c1", "127.0.0.1"};
  EXPECT_TRUE(run_probe(http, target).success);
  http.port = failing.port();
  ProbeOutcome bad = run_probe(http, target);
  EXPECT_FALSE(bad.success);
  EXPECT_EQ(bad.output, "HTTP probe failed with statuscode: 500");

  ProbeSpec tcp;
  tcp.action = ProbeSpec::Action::TcpSocket;
  tcp.port = ok.port();
  EXPECT_TRUE(run_probe(tcp, target).success);
  tcp.port = closed_port();
  ProbeOutcome refused = run_probe(tcp, target);
  EXPECT_FALSE(refused.success);
  EXPECT_NE(refused.output.find("connection refused"), std::string::npos) << refused.output;
}

TEST(Probe, ExecUsesTheRuntimeAndSimulatedPodsPassNetworkProbesWithoutTraffic) {
  ExecOnlyDriver driver;
  driver.exit_code = 1;
  driver.output = "not yet";
  ProbeSpec exec;
  exec.command = {"check"};
  ProbeOutcome failed = run_probe(exec, {&driver, "c1", ""});
  EXPECT_FALSE(failed.success);
  EXPECT_EQ(failed.output, "not yet");
  driver.simulate = true;
  ProbeSpec tcp;
  tcp.action = ProbeSpec::Action::TcpSocket;
  tcp.port = closed_port();
  EXPECT_TRUE(run_probe(tcp, {&driver, "c1", "10.42.0.9"}).success);  // never dialled
}

TEST(Prober, ResultsFlipAfterTheThresholdsAndWakeThePod) {
  ExecOnlyDriver driver;
  std::mutex mutex;
  std::vector<std::string> woken, unhealthy;
  Prober prober(
      2,
      [&](const std::string& pod) {
        std::lock_guard lock(mutex);
        woken.push_back(pod);
      },
      [&](const ProbeRequest&, const std::string& message) {
        std::lock_guard lock(mutex);
        unhealthy.push_back(message);
      });
  ProbeRequest readiness;
  readiness.pod = "n/ns/p";
  readiness.container_id = "c1";
  readiness.container = "c";
  readiness.kind = ProbeKind::Readiness;
  readiness.spec.command = {"check"};
  readiness.spec.period = std::chrono::seconds(1);
  readiness.target = {&driver, "c1", ""};
  readiness.started = std::chrono::system_clock::now();
  EXPECT_EQ(prober.result("c1", ProbeKind::Readiness), ProbeResult::Failure);  // not ready until it passes
  prober.ensure(readiness);
  ASSERT_TRUE(eventually([&] { return prober.result("c1", ProbeKind::Readiness) == ProbeResult::Success; }));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(woken, (std::vector<std::string>{"n/ns/p"}));
  }
  driver.exit_code = 1;
  driver.output = "boom";
  // Three failures in a row (failureThreshold) before it counts.
  const int runs = driver.executions();
  ASSERT_TRUE(eventually([&] { return prober.result("c1", ProbeKind::Readiness) == ProbeResult::Failure; }));
  EXPECT_GE(driver.executions() - runs, 3);
  {
    std::lock_guard lock(mutex);
    ASSERT_FALSE(unhealthy.empty());
    EXPECT_EQ(unhealthy.front(), "Readiness probe failed: boom");
  }
  prober.retain("n/ns/p", {});
  const int after = driver.executions();
  EXPECT_EQ(prober.result("c1", ProbeKind::Readiness), ProbeResult::Failure);  // forgotten: back to the start
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a period passes with nothing to run
  EXPECT_LE(driver.executions() - after, 1);                     // at most the run that was under way
}

}  // namespace
}  // namespace ukube::kubelet
