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
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/kubectl_fixture.h"
#include "tests/support/processes.h"

namespace ukube::testing {
namespace {

// A node whose kubelet runs pods on the process runtime, with kubectl `binary`.
template <class Base = ::testing::Test>
class ProcessNode : public KubectlFixture<Base> {
 protected:
  void start(const std::string& binary) {
    this->start_node(binary, kWorkloadPlugins +
                                 "  - uri: ukube.runtime.v1.process\n"
                                 "    config: {images: {web-server: " UKUBE_TEST_HTTP_SERVER
                                 "}}\n"
                                 "  - uri: ukube.kubelet.v1.kubelet\n"
                                 "    config: {node_name: proc-node, port: 0}\n");
    marker_ = this->node_->dir().string();
  }
  // Containers outlive the daemon by design: whatever this test started goes with it. Every
  // container's command line names the test's folder, and so does every monitor's.
  void TearDown() override {
    KubectlFixture<Base>::TearDown();
    if (!this->node_) return;
    this->node_->kill_daemon();
    kill_processes_with(marker_);
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
    return eventually([&] { return this->get(what, jsonpath) == want; }, std::chrono::seconds(30));
  }

  std::string marker_;
};

class KubeletProcess : public ProcessNode<> {
 protected:
  void SetUp() override { start(newest_kubectl()); }
};

TEST_F(KubeletProcess, AnHttpServerBecomesReadyThroughItsReadinessProbe) {
  const int port = free_loopback_port();
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
  // Events are written apart from the pod's status, so they may land a moment after it.
  std::string events;
  EXPECT_TRUE(eventually(
      [&] {
        events = ok("describe pod sick");
        return events.find("Liveness probe failed: unwell") != std::string::npos &&
               events.find("Container c failed liveness probe, will be restarted") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << events;
}

// Lines a shell can check: the non-empty lines of `text`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (!line.empty()) out.push_back(line);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

TEST_F(KubeletProcess, TopShowsARunningProcess) {
  ok("create -f -", shell_pod("sleeper", "exec sleep 300"));
  ASSERT_TRUE(eventually_reads("pod sleeper", ".status.phase", "Running")) << ok("get pod sleeper -o yaml");
  // Rows appear once the kubelet sampled the process twice (its CPU is a rate).
  std::string top;
  ASSERT_TRUE(eventually(
      [&] {
        top = (*kubectl_)("top pod sleeper --no-headers").out;
        return top.rfind("sleeper ", 0) == 0;
      },
      std::chrono::seconds(60)))
      << top;
  std::istringstream cells(top);
  std::vector<std::string> row{std::istream_iterator<std::string>(cells), {}};
  ASSERT_EQ(row.size(), 3u) << top;
  EXPECT_EQ(row[1].back(), 'm') << top;                      // CPU(cores), in millicores
  EXPECT_EQ(row[2].substr(row[2].size() - 2), "Mi") << top;  // MEMORY(bytes)
  // The real machine, from /proc.
  std::string nodes;
  ASSERT_TRUE(eventually(
      [&] {
        nodes = (*kubectl_)("top node --no-headers").out;
        return nodes.rfind("proc-node ", 0) == 0;
      },
      std::chrono::seconds(60)))
      << nodes;
  EXPECT_EQ(nodes.find("<unknown>"), std::string::npos) << nodes;
}

TEST_F(KubeletProcess, LogsFollowWhileTheContainerWritesAndStopWhenItExits) {
  ok("create -f -",
     shell_pod("ticker", "for i in $(seq 1 30); do echo tick $i; sleep 0.2; done; echo oops >&2",
               "  restartPolicy: Never\n"));
  ASSERT_TRUE(eventually_reads("pod ticker", ".status.phase", "Running")) << ok("get pod ticker -o yaml");
  // Through the API server and the kubelet's HTTPS server; ends by itself when the container does.
  const std::string followed = ok("logs -f --tail=1 ticker");
  const auto lines = lines_of(followed);
  ASSERT_GE(lines.size(), 2u) << followed;
  EXPECT_EQ(lines.back(), "oops") << followed;
  // One line from the tail, then every line after it, in order: the rest came while following.
  const int first = std::stoi(lines.front().substr(5));
  ASSERT_LT(first, 30) << "the container finished before kubectl started following:\n" << followed;
  for (size_t i = 0; i + 1 < lines.size(); ++i)
    EXPECT_EQ(lines[i], "tick " + std::to_string(first + i)) << followed;
  EXPECT_EQ(lines.size(), static_cast<size_t>(30 - first + 2)) << followed;

  ASSERT_TRUE(eventually_reads("pod ticker", ".status.phase", "Succeeded"));
  EXPECT_EQ(ok("logs ticker --tail=2"), "tick 30\noops\n");
  EXPECT_EQ(ok("logs ticker --limit-bytes=6"), "tick 1");
  const std::string stamped = ok("logs ticker --timestamps --tail=1");
  EXPECT_TRUE(stamped.size() > 20 && stamped[4] == '-' && stamped[10] == 'T' &&
              stamped.find("Z oops\n") != std::string::npos)
      << stamped;
  const CommandResult missing = refused("logs ticker -c nope");
  EXPECT_NE(missing.out.find("container nope is not valid for pod ticker"), std::string::npos) << missing.out;
}

TEST_F(KubeletProcess, LogsPreviousShowTheLastRunsOutput) {
  const std::string runs = node_->dir().string() + "/runs";
  // The first run prints and fails; the second prints and stays, so nothing races the reads.
  ok("create -f -",
     shell_pod("twice", "n=$(cat " + runs + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + runs +
                            "; echo run $n; [ $n -ge 2 ] || exit 1; while :; do sleep 0.2; done"));
  ASSERT_TRUE(eventually(
      [&] {
        return get("pod twice", ".status.containerStatuses[0].restartCount") == "1" &&
               get("pod twice", ".status.containerStatuses[0].ready") == "true";
      },
      std::chrono::seconds(30)))
      << ok("get pod twice -o yaml");
  EXPECT_TRUE(eventually([&] { return ok("logs twice") == "run 2\n"; }, std::chrono::seconds(10)))
      << ok("logs twice");
  EXPECT_EQ(ok("logs twice --previous"), "run 1\n");
  ok("create -f -", shell_pod("once", "echo only; while :; do sleep 0.2; done"));
  ASSERT_TRUE(eventually_reads("pod once", ".status.phase", "Running"));
  const CommandResult none = refused("logs once --previous");
  EXPECT_NE(none.out.find("previous terminated container \"c\" in pod \"once\" not found"), std::string::npos)
      << none.out;
}

TEST_F(KubeletProcess, ExecReturnsTheExitCodeReadsStdinAndCarriesCp) {
  ok("create -f -", shell_pod("box", "while :; do sleep 0.2; done"));
  ASSERT_TRUE(eventually_reads("pod box", ".status.phase", "Running"));

  const CommandResult three = (*kubectl_)("exec box -- sh -c 'echo to-out; echo to-err >&2; exit 3'");
  EXPECT_EQ(three.exit_code, 3) << three.out;
  EXPECT_NE(three.out.find("to-out"), std::string::npos) << three.out;
  EXPECT_NE(three.out.find("to-err"), std::string::npos) << three.out;
  EXPECT_EQ(ok("exec box -- echo fine"), "fine\n");
  EXPECT_EQ(ok("exec -i box -- tr a-z A-Z", "shout this\n"), "SHOUT THIS\n");

  // kubectl cp is tar through exec, both ways. The process runtime shares the host's files,
  // so the pod's side is a folder of this test's.
  const std::filesystem::path dir = node_->dir() / "cp";
  std::filesystem::create_directories(dir / "from-pod");
  std::ofstream(dir / "local.txt") << "carried over\n";
  ok("cp " + (dir / "local.txt").string() + " box:" + (dir / "in-pod.txt").string());
  std::ifstream copied_in(dir / "in-pod.txt");
  std::string line;
  std::getline(copied_in, line);
  EXPECT_EQ(line, "carried over");
  ok("cp box:" + (dir / "in-pod.txt").string() + " " + (dir / "from-pod" / "back.txt").string());
  std::ifstream copied_back(dir / "from-pod" / "back.txt");
  std::getline(copied_back, line);
  EXPECT_EQ(line, "carried over");

  const CommandResult finished = refused("exec box -c nope -- true");
  EXPECT_NE(finished.out.find("container nope is not valid for pod box"), std::string::npos) << finished.out;
}

TEST_F(KubeletProcess, AConfigMapVolumeFollowsAnEditAndTheServiceAccountVolumeIsMounted) {
  if (geteuid() != 0)
    GTEST_SKIP() << "volumes of the process runtime need root (a private mount namespace per container); "
                    "CI runs as root";
  const std::string mount = node_->dir().string() + "/config";
  ok("create configmap settings --from-literal=greeting=hello");
  ok("create -f -", shell_pod("reader", "while :; do sleep 0.2; done") +
                        "    volumeMounts:\n    - name: settings\n"
                        "      mountPath: " +
                        mount + "\n  volumes:\n  - name: settings\n    configMap: {name: settings}\n");
  ASSERT_TRUE(eventually_reads("pod reader", ".status.phase", "Running")) << ok("describe pod reader");
  EXPECT_EQ(ok("exec reader -- cat " + mount + "/greeting"), "hello");
  // Only inside the container: the host sees an empty mount point.
  EXPECT_FALSE(std::filesystem::exists(mount + "/greeting"));

  ok("create configmap settings --from-literal=greeting=bonjour --dry-run=client -o yaml | " +
     kubectl_->command("replace -f -"));
  std::string seen;
  EXPECT_TRUE(
      eventually([&] { return (seen = ok("exec reader -- cat " + mount + "/greeting")) == "bonjour"; },
                 std::chrono::seconds(60)))
      << seen;

  // The service account's token, CA and namespace, where upstream mounts them.
  const std::string account = "/var/run/secrets/kubernetes.io/serviceaccount/";
  EXPECT_EQ(ok("exec reader -- cat " + account + "namespace"), "default");
  EXPECT_EQ(ok("exec reader -- head -c 3 " + account + "token"), "eyJ");
  EXPECT_NE(ok("exec reader -- cat " + account + "ca.crt").find("BEGIN CERTIFICATE"), std::string::npos);
}

TEST_F(KubeletProcess, AStaticPodFromTheManifestFolderAppearsAsAMirrorPod) {
  const std::filesystem::path folder = node_->dir() / "data" / "pod-manifests";
  ASSERT_TRUE(eventually([&] { return std::filesystem::is_directory(folder); }, std::chrono::seconds(30)));
  std::ofstream(folder / "web.yaml") << "apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\nspec:\n"
                                        "  containers:\n  - name: c\n    image: sh\n    command: [sh, -c, "
                                     << shell_yaml("echo static; while :; do sleep 0.2; done") << ", "
                                     << shell_yaml(marker_) << "]\n";
  const std::string pod = "pod static-web-proc-node";
  ASSERT_TRUE(eventually_reads(pod, ".status.phase", "Running")) << ok("get pods -o wide");
  EXPECT_EQ(get(pod, ".metadata.annotations.kubernetes\\.io/config\\.mirror"),
            get(pod, ".metadata.annotations.kubernetes\\.io/config\\.hash"));
  EXPECT_FALSE(get(pod, ".metadata.annotations.kubernetes\\.io/config\\.mirror").empty());
  EXPECT_EQ(get(pod, ".metadata.ownerReferences[0].kind"), "Node");
  EXPECT_EQ(get(pod, ".metadata.ownerReferences[0].name"), "proc-node");
  EXPECT_TRUE(
      eventually([&] { return ok("logs static-web-proc-node") == "static\n"; }, std::chrono::seconds(10)));

  // A mirror pod deleted through the API comes back: the manifest says it should run.
  const std::string first_uid = get(pod, ".metadata.uid");
  // Not waited for by kubectl: its wait for the old uid to go races with the mirror pod
  // coming back under the same name.
  ok("delete " + pod + " --wait=false");
  EXPECT_TRUE(eventually(
      [&] { return get(pod, ".metadata.uid") != first_uid && get(pod, ".status.phase") == "Running"; },
      std::chrono::seconds(60)))
      << ok("get pods -o wide");

  // Without its manifest it goes.
  std::filesystem::remove(folder / "web.yaml");
  EXPECT_TRUE(eventually([&] { return (*kubectl_)("get " + pod).exit_code != 0; }, std::chrono::seconds(60)))
      << ok("get pods -o wide");
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

TEST_F(KubeletProcess, APreStopHookRunsBeforeSigtermAndAPostStartHookAfterTheStart) {
  const std::string trace = node_->dir().string() + "/hook-trace";
  const std::string hooks =
      "    lifecycle:\n"
      "      postStart: {exec: {command: [sh, -c, 'echo POSTSTART >> " +
      trace +
      "']}}\n"
      "      preStop: {exec: {command: [sh, -c, 'echo PRESTOP >> " +
      trace + "']}}\n";
  ok("create -f -",
     shell_pod("hooked", "trap 'echo TERM >> " + trace + "; exit 0' TERM; while :; do sleep 0.1; done") +
         hooks);
  ASSERT_TRUE(eventually_reads("pod hooked", ".status.phase", "Running")) << ok("get pod hooked -o yaml");
  ok("delete pod hooked --timeout=60s");
  std::ifstream in(trace);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "POSTSTART\nPRESTOP\nTERM\n");
}

TEST_F(KubeletProcess, AFailingPostStartHookKillsTheContainer) {
  ok("create -f -", shell_pod("unhooked", "while :; do sleep 0.1; done") +
                        "    lifecycle:\n      postStart: {exec: {command: [sh, -c, 'exit 3']}}\n");
  ASSERT_TRUE(eventually(
      [&] { return !get("events --field-selector reason=FailedPostStartHook", ".items[*].message").empty(); },
      std::chrono::seconds(30)))
      << ok("get events");
  const std::string message = get("events --field-selector reason=FailedPostStartHook", ".items[0].message");
  EXPECT_NE(
      message.find("Exec lifecycle hook ([sh -c exit 3]) for Container \"c\" in Pod \"unhooked_default("),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("failed - error: command 'sh -c exit 3' exited with 3"), std::string::npos)
      << message;
  EXPECT_TRUE(
      eventually([&] { return get("pod unhooked", ".status.containerStatuses[0].restartCount") != "0"; },
                 std::chrono::seconds(30)))
      << ok("get pod unhooked -o yaml");
}

TEST_F(KubeletProcess, AFailingPreStopHookIsReportedAndTheContainerStillStops) {
  ok("create -f -",
     shell_pod("grumpy", "while :; do sleep 0.1; done") +
         "    lifecycle:\n      preStop: {exec: {command: [sh, -c, 'echo no >&2; exit 4']}}\n");
  ASSERT_TRUE(eventually_reads("pod grumpy", ".status.phase", "Running")) << ok("get pod grumpy -o yaml");
  ok("delete pod grumpy --timeout=60s");
  const std::string message = get("events --field-selector reason=FailedPreStopHook", ".items[0].message");
  EXPECT_NE(
      message.find("Exec lifecycle hook ([sh -c echo no >&2; exit 4]) for Container \"c\" in Pod \"grumpy_"),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("exited with 4: no\n, message: \"no\\n\""), std::string::npos) << message;
}

// `kubectl port-forward` through the API server and the kubelet into a pod: kubectl 1.30
// speaks SPDY/3.1, 1.33 tunnels it through WebSocket (and would fall back to SPDY if refused).
class PortForward : public ProcessNode<::testing::TestWithParam<std::string>> {
 protected:
  void SetUp() override {
    const std::string binary = kubectl_binary(GetParam());
    if (binary.empty()) GTEST_SKIP() << "kubectl " << GetParam() << " is not installed beside kubectl";
    start(binary);
  }
  // A Ready pod `name` (label app=<name>) serving HTTP on `port` (ukube-test-http-server).
  void web_pod(const std::string& name, int port) {
    ok("create -f -", "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", labels: {app: " + name +
                          "}}\nspec:\n  containers:\n  - name: server\n    image: web-server\n    args: ['" +
                          std::to_string(port) + "', " + shell_yaml(marker_) +
                          "]\n    ports: [{containerPort: " + std::to_string(port) +
                          ", name: http}]\n    readinessProbe:\n      httpGet: {path: /healthz, port: " +
                          std::to_string(port) + "}\n      periodSeconds: 1\n");
    ok("wait --for=condition=Ready pod/" + name + " --timeout=60s");
  }
  std::filesystem::path file(const std::string& name) const { return node_->dir() / name; }
  // What curl prints for a GET (or with `options`, another request) through the local port.
  static std::string curl(int local_port, const std::string& path, const std::string& options = "") {
    return run_command("curl -sS --max-time 30 -H 'Expect:' " + options +
                       " http://127.0.0.1:" + std::to_string(local_port) + path)
        .out;
  }
};

TEST_P(PortForward, APodsPortCarriesRequestsBothWaysAndSeveralConnectionsAtOnce) {
  const int port = free_loopback_port();
  web_pod("web", port);
  PortForwardCommand forward(*kubectl_, "pod/web :" + std::to_string(port), file("forward.out"));
  const int local = forward.local_port();
  ASSERT_NE(local, 0) << forward.output();
  EXPECT_NE(forward.output().find("Forwarding from 127.0.0.1:" + std::to_string(local) + " -> " +
                                  std::to_string(port)),
            std::string::npos)
      << forward.output();
  EXPECT_EQ(curl(local, "/hello"), "ok /hello\n") << forward.output();

  // Connections at once: each is its own pair of streams on the one upgraded connection.
  std::vector<std::string> answers(8);
  {
    std::vector<std::thread> clients;
    for (size_t i = 0; i < answers.size(); ++i)
      clients.emplace_back([&, i] { answers[i] = curl(local, "/at-once-" + std::to_string(i)); });
    for (auto& client : clients) client.join();
  }
  for (size_t i = 0; i < answers.size(); ++i)
    EXPECT_EQ(answers[i], "ok /at-once-" + std::to_string(i) + "\n") << forward.output();

  // Megabytes each way: many SPDY frames, and the buffers' limits on both sides.
  constexpr size_t kDownload = 5 * 1024 * 1024 + 7;
  EXPECT_EQ(curl(local, "/bytes/" + std::to_string(kDownload), "-o " + file("download").string()), "");
  ASSERT_TRUE(std::filesystem::exists(file("download"))) << forward.output();
  EXPECT_EQ(std::filesystem::file_size(file("download")), kDownload);
  std::ifstream downloaded(file("download"), std::ios::binary);
  std::string head(32, '\0');
  downloaded.read(head.data(), 32);
  EXPECT_EQ(head, "0123456789abcdef0123456789abcdef");
  constexpr size_t kUpload = 3 * 1024 * 1024 + 3;
  std::ofstream(file("upload"), std::ios::binary) << std::string(kUpload, 'u');
  EXPECT_EQ(curl(local, "/upload", "--data-binary @" + file("upload").string()),
            "ok /upload " + std::to_string(kUpload) + " bytes\n")
      << forward.output();
  EXPECT_EQ(curl(local, "/still-there"), "ok /still-there\n") << forward.output();
}

TEST_P(PortForward, AServiceIsForwardedToAPodBehindIt) {
  const int port = free_loopback_port();
  web_pod("web", port);
  ok("create -f -",
     "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
     "  ports: [{port: 80, targetPort: http}]\n");
  // kubectl picks the pod and turns the service's port into the container's.
  PortForwardCommand forward(*kubectl_, "svc/web :80", file("forward.out"));
  const int local = forward.local_port();
  ASSERT_NE(local, 0) << forward.output();
  EXPECT_NE(forward.output().find(" -> " + std::to_string(port)), std::string::npos) << forward.output();
  EXPECT_EQ(curl(local, "/through-the-service"), "ok /through-the-service\n") << forward.output();
}

TEST_P(PortForward, APortNothingListensOnIsReportedOnTheErrorStream) {
  const int port = free_loopback_port();
  web_pod("web", port);
  const int closed = free_loopback_port();
  PortForwardCommand forward(*kubectl_, "pod/web :" + std::to_string(closed), file("forward.out"));
  const int local = forward.local_port();
  ASSERT_NE(local, 0) << forward.output();
  // The connection ends with nothing sent back; kubectl prints what the kubelet wrote on
  // the error stream, in upstream's words.
  const std::string answer = curl(local, "/");
  EXPECT_EQ(answer.rfind("curl: (", 0), 0u) << "no HTTP answer, only curl's error: " << answer;
  const std::string sandbox_words = "error forwarding port " + std::to_string(closed) + " to pod ";
  const std::string refused = ", uid : failed to connect to localhost:" + std::to_string(closed) +
                              ", IPv4: dial tcp4 127.0.0.1:" + std::to_string(closed) +
                              ": connect: connection refused";
  EXPECT_TRUE(eventually(
      [&] {
        const std::string out = forward.output();
        return out.find(sandbox_words) != std::string::npos && out.find(refused) != std::string::npos;
      },
      std::chrono::seconds(10)))
      << forward.output();
}

TEST_P(PortForward, UnknownPodsPodsNotRunningAndUsersWithoutCreateAreRefused) {
  EXPECT_NE(refused("port-forward pod/nope :80").out.find("pods \"nope\" not found"), std::string::npos);
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: stuck}\nspec:\n  containers:\n  - name: c\n"
     "    image: ukube.invalid/no-such-executable:1\n");
  const CommandResult pending = refused("port-forward pod/stuck :80");
  EXPECT_NE(pending.out.find("unable to forward port because pod is not running. Current status=Pending"),
            std::string::npos)
      << pending.out;

  // Upstream's RBAC for it: create on pods/portforward (and get on the pod, which kubectl reads first).
  const int port = free_loopback_port();
  web_pod("web", port);
  ok("create role viewer --verb=get,list --resource=pods");
  ok("create rolebinding viewer --role=viewer --user=viewer");
  const CommandResult forbidden = refused("--as=viewer port-forward pod/web :" + std::to_string(port));
  EXPECT_NE(forbidden.out.find("pods \"web\" is forbidden: User \"viewer\" cannot create resource "
                               "\"pods/portforward\" in API group \"\" in the namespace \"default\""),
            std::string::npos)
      << forbidden.out;
  ok("create role forwarder --verb=create --resource=pods/portforward");
  ok("create rolebinding forwarder --role=forwarder --user=viewer");
  PortForwardCommand forward(*kubectl_, "--as=viewer pod/web :" + std::to_string(port), file("forward.out"));
  const int local = forward.local_port();
  ASSERT_NE(local, 0) << forward.output();
  EXPECT_EQ(curl(local, "/allowed"), "ok /allowed\n") << forward.output();
}

INSTANTIATE_TEST_SUITE_P(Versions, PortForward, ::testing::Values("1.30", "1.33"), [](const auto& info) {
  return "kubectl_" + std::string(info.param).replace(1, 1, "_");
});

}  // namespace
}  // namespace ukube::testing
