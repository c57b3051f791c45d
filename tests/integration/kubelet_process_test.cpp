// The kubelet on the process runtime in the real daemon, observed with real kubectl: real
// processes become Ready through an HTTP readiness probe, are stopped with SIGTERM within
// their grace period, and survive a kill -9 of the daemon, which adopts them on restart.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

// A port nothing listens on now, for the test server to take.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Processes whose command line (arguments joined by spaces) contains every one of `parts`;
// read from /proc, so no shell of ours is among them.
std::vector<pid_t> processes_with(const std::vector<std::string>& parts) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    bool all = !cmdline.empty();
    for (const auto& part : parts) all = all && cmdline.find(part) != std::string::npos;
    if (all && std::stoi(name) != getpid()) out.push_back(std::stoi(name));
  }
  return out;
}

class KubeletProcess : public KubectlFixture<> {
 protected:
  void SetUp() override {
    start_node(newest_kubectl(),
               "  - uri: ukube.authorizer.v1.node\n"
               "  - uri: ukube.admission.v1.node-restriction\n"
               "  - uri: ukube.scheduler.v1.default\n"
               "  - uri: ukube.controller.v1.replicaset\n"
               "  - uri: ukube.controller.v1.deployment\n"
               "  - uri: ukube.runtime.v1.process\n"
               "    config: {images: {web-server: " UKUBE_TEST_HTTP_SERVER
               "}}\n"
               "  - uri: ukube.kubelet.v1.kubelet\n"
               "    config: {node_name: proc-node}\n");
    marker_ = node_->dir().string();
  }
  // Containers outlive the daemon by design: whatever this test started goes with it. Every
  // container's command line names the test's folder, and so does every monitor's.
  void TearDown() override {
    KubectlFixture<>::TearDown();
    node_->kill_daemon();
    for (pid_t pid : processes_with({marker_})) {
      // A container leads its own process group: the group takes its children along.
      const pid_t group = getpgid(pid);
      if (group > 1 && group != getpgrp()) kill(-group, SIGKILL);
      kill(pid, SIGKILL);
    }
  }
  // A pod running `script` under /bin/sh; the folder name after it marks the process as
  // this test's, for TearDown.
  std::string shell_pod(const std::string& name, const std::string& script,
                        const std::string& extra_spec = "") {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n" + extra_spec +
           "  containers:\n  - name: c\n    image: sh\n    command: [sh, -c, " + shell_yaml(script) + ", " +
           shell_yaml(marker_) + "]\n";
  }
  static std::string shell_yaml(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }
  bool eventually_reads(const std::string& what, const std::string& jsonpath, const std::string& want) {
    return eventually([&] { return get(what, jsonpath) == want; }, std::chrono::seconds(30));
  }

  std::string marker_;
};

TEST_F(KubeletProcess, AnHttpServerBecomesReadyThroughItsReadinessProbe) {
  const int port = free_port();
  const std::string deployment =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
      "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
      "      containers:\n      - name: server\n        image: web-server\n        args: ['" +
      std::to_string(port) + "', " + shell_yaml(marker_) +
      "]\n        readinessProbe:\n          httpGet: {path: /healthz, port: " + std::to_string(port) +
      "}\n          periodSeconds: 1\n";
  ok("create -f -", deployment);
  ok("rollout status deployment/web --timeout=60s");
  const std::string pod = get("pods -l app=web", ".items[0].metadata.name");
  EXPECT_EQ(get("pod " + pod, R"(.status.conditions[?(@.type=="Ready")].status)"), "True");
  EXPECT_EQ(get("pod " + pod, ".status.podIP"), "127.0.0.1");
  EXPECT_EQ(get("pod " + pod, ".status.containerStatuses[0].containerID").rfind("ukube-process://", 0), 0u)
      << get("pod " + pod, ".status.containerStatuses[0].containerID");
  CommandResult served = run_command("curl -s http://127.0.0.1:" + std::to_string(port) + "/hello");
  EXPECT_EQ(served.out, "ok /hello\n");
}

TEST_F(KubeletProcess, DeleteSendsSigtermAndTheContainerExitsWithinItsGracePeriod) {
  const std::string seen = node_->dir().string() + "/term-seen";
  ok("create -f -",
     shell_pod("polite", "trap 'echo TERM > " + seen + "; exit 0' TERM; while :; do sleep 0.1; done"));
  ok("create -f -", shell_pod("stubborn", "trap '' TERM; while :; do sleep 0.1; done",
                              "  terminationGracePeriodSeconds: 2\n"));
  ASSERT_TRUE(eventually_reads("pod polite", ".status.phase", "Running")) << ok("get pod polite -o yaml");
  ASSERT_TRUE(eventually_reads("pod stubborn", ".status.phase", "Running"));
  ok("delete pod polite --timeout=60s");
  std::ifstream in(seen);
  std::string word;
  in >> word;
  EXPECT_EQ(word, "TERM") << "the container got SIGTERM before it was removed";
  // It ignores SIGTERM: the kubelet waits its 2 s, then kills it, and the pod goes.
  ok("delete pod stubborn --timeout=60s");
  EXPECT_TRUE(processes_with({"trap '' TERM", marker_}).empty());
}

TEST_F(KubeletProcess, ACrashingContainerBacksOffLongerEachTime) {
  ok("create -f -", shell_pod("crasher", "echo starting; exit 1"));
  // Restarted at once after its first exit, then after 10 s, then 20 s: the waiting
  // message names the back-off in force.
  ASSERT_TRUE(eventually(
      [&] {
        return get("pod crasher", ".status.containerStatuses[0].state.waiting.message")
                   .find("back-off 20s") == 0;
      },
      std::chrono::seconds(60)))
      << ok("get pod crasher -o yaml");
  EXPECT_EQ(get("pod crasher", ".status.containerStatuses[0].state.waiting.reason"), "CrashLoopBackOff");
  EXPECT_EQ(get("pod crasher", ".status.containerStatuses[0].lastState.terminated.exitCode"), "1");
  EXPECT_EQ(get("pod crasher", ".status.containerStatuses[0].restartCount"), "2");
}

TEST_F(KubeletProcess, AFailingLivenessProbeRestartsTheContainer) {
  ok("create -f -", shell_pod("sick", "while :; do sleep 0.2; done") +
                        "    livenessProbe:\n      exec: {command: [sh, -c, 'echo unwell; exit 1']}\n"
                        "      periodSeconds: 1\n      failureThreshold: 2\n");
  EXPECT_TRUE(eventually([&] { return get("pod sick", ".status.containerStatuses[0].restartCount") != "0"; },
                         std::chrono::seconds(30)))
      << ok("get pod sick -o yaml");
  const std::string events = ok("describe pod sick");
  EXPECT_NE(events.find("Liveness probe failed: unwell"), std::string::npos) << events;
  EXPECT_NE(events.find("Container c failed liveness probe, will be restarted"), std::string::npos) << events;
}

TEST_F(KubeletProcess, AKilledDaemonAdoptsItsRunningPodsAndReportsWhatExitedMeanwhile) {
  const std::string release = node_->dir().string() + "/release";
  ok("create -f -", shell_pod("keeper", "while :; do sleep 0.2; done"));
  ok("create -f -", shell_pod("quitter", "while [ ! -e " + release + " ]; do sleep 0.1; done; exit 3",
                              "  restartPolicy: Never\n"));
  ASSERT_TRUE(eventually_reads("pod keeper", ".status.phase", "Running"));
  ASSERT_TRUE(eventually_reads("pod quitter", ".status.phase", "Running"));
  const std::string keeper_id = get("pod keeper", ".status.containerStatuses[0].containerID");

  node_->kill_daemon();
  std::ofstream(release) << "go";  // quitter exits while no daemon runs
  node_->start_daemon();

  EXPECT_TRUE(eventually_reads("pod quitter", ".status.phase", "Failed")) << ok("get pod quitter -o yaml");
  EXPECT_EQ(get("pod quitter", ".status.containerStatuses[0].state.terminated.exitCode"), "3");
  // The keeper's container is the one from before, adopted: no second one was started.
  EXPECT_TRUE(eventually_reads("pod keeper", ".status.phase", "Running"));
  EXPECT_EQ(get("pod keeper", ".status.containerStatuses[0].containerID"), keeper_id);
  EXPECT_EQ(get("pod keeper", ".status.containerStatuses[0].restartCount"), "0");
  EXPECT_EQ(processes_with({"while :; do sleep 0.2; done", marker_}).size(), 1u);
}

}  // namespace
}  // namespace ukube::testing
