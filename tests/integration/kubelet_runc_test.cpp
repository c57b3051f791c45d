// The kubelet on the runc runtime in the real daemon, observed with real kubectl: pods are
// OCI containers from the built-in busybox image, with their own hostname, pid namespace and
// filesystem, cgroup limits, read-only root filesystems, and containers that outlive a
// kill -9 of the daemon. Needs root and runc (CI runs it as root); elsewhere it skips, saying
// why. TearDown removes every container, mount and cgroup the test made, even after a failure.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/kubectl_fixture.h"
#include "tests/integration/local_registry.h"
#include "tests/support/runc_leftovers.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;

size_t count_of(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + word.size())) ++n;
  return n;
}

std::string yaml_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

class KubeletRunc : public KubectlFixture<> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: runtime-runc needs root (CI runs this test as root)";
    if (runc_binary().empty())
      GTEST_SKIP() << "SKIPPED: runc is not installed (packaging/install-deps.sh installs it)";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "SKIPPED: busybox-static is not installed";
    start_node(newest_kubectl(), kWorkloadPlugins +
                                     "  - uri: ukube.runtime.v1.runc\n"
                                     "  - uri: ukube.kubelet.v1.kubelet\n"
                                     "    config: {node_name: runc-node, port: 0}\n");
    started_ = true;
  }

  // Pods are deleted through the API first (the kubelet removes their containers, mounts
  // and cgroups); whatever is left after that, or after a failure, is removed by hand.
  void TearDown() override {
    if (!started_) return;
    KubectlFixture<>::TearDown();
    (*kubectl_)("delete pods,deployments --all --timeout=60s");
    node_->kill_daemon();
    remove_node_runc_leftovers(node_->dir());
  }

  std::string sleeper(const std::string& name, const std::string& extra_container = "") {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name +
           "}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: "
           "busybox:1.35\n"
           "    command: [sleep, '3600']\n" +
           extra_container;
  }
  std::string shell_pod(const std::string& name, const std::string& script,
                        const std::string& extra_spec = "", const std::string& extra_container = "") {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n" + extra_spec +
           "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.35\n"
           "    command: [sh, -c, " +
           yaml_quoted(script) + "]\n" + extra_container;
  }
  bool running(const std::string& pod) {
    return eventually([&] { return get("pod " + pod, ".status.phase") == "Running"; },
                      std::chrono::seconds(60));
  }

  bool started_ = false;
};

TEST_F(KubeletRunc, ExecSeesTheContainersOwnHostnamePidNamespaceAndFilesystem) {
  ok("create -f -", sleeper("isolated"));
  ASSERT_TRUE(running("isolated")) << ok("describe pod isolated");
  EXPECT_EQ(ok("exec isolated -- hostname"), "isolated\n");
  // Its own pid namespace: the container's command is pid 1, and no host process shows.
  const std::string ps = ok("exec isolated -- ps -o pid,args");
  EXPECT_NE(ps.find("    1 sleep 3600"), std::string::npos) << ps;
  EXPECT_EQ(ps.find("ukube"), std::string::npos) << ps;
  // Its own root: the image's, not the host's.
  EXPECT_NE(ok("exec isolated -- ls /bin/busybox").find("/bin/busybox"), std::string::npos);
  EXPECT_NE((*kubectl_)("exec isolated -- ls " + node_->dir().string()).exit_code, 0)
      << "the host's folders are not in the container";
  // The pod's own network namespace: loopback only, and up.
  EXPECT_EQ(ok("exec isolated -- ls /sys/class/net"), "lo\n");
  EXPECT_EQ(ok("exec isolated -- cat /sys/class/net/lo/flags"), "0x9\n") << "IFF_UP | IFF_LOOPBACK";
  EXPECT_EQ(get("pod isolated", ".status.containerStatuses[0].containerID").rfind("ukube-runc://", 0), 0u);
  EXPECT_EQ(get("pod isolated", ".status.containerStatuses[0].imageID").rfind("sha256:", 0), 0u);
}

TEST_F(KubeletRunc, LogsAndCopyWork) {
  ok("create -f -", shell_pod("talker", "echo out; echo err >&2; sleep 3600"));
  ASSERT_TRUE(running("talker"));
  EXPECT_TRUE(eventually([&] { return (*kubectl_)("logs talker").out == "out\nerr\n"; }));
  const fs::path local = node_->dir() / "to-copy.txt";
  std::ofstream(local) << "copied in\n";
  ok("cp " + local.string() + " talker:/tmp/in.txt");
  EXPECT_EQ(ok("exec talker -- cat /tmp/in.txt"), "copied in\n");
  const fs::path back = node_->dir() / "copied-back.txt";
  ok("cp talker:/tmp/in.txt " + back.string());
  EXPECT_EQ(read_file(back), "copied in\n");
}

TEST_F(KubeletRunc, AContainerOverItsMemoryLimitIsOOMKilled) {
  ok("create -f -", shell_pod("hungry", "x=a; while :; do x=$x$x; done", "  restartPolicy: Never\n",
                              "    resources: {limits: {memory: 32Mi}}\n"));
  EXPECT_TRUE(
      eventually([&] { return get("pod hungry", ".status.phase") == "Failed"; }, std::chrono::seconds(60)))
      << ok("get pod hungry -o yaml");
  EXPECT_EQ(get("pod hungry", ".status.containerStatuses[0].state.terminated.reason"), "OOMKilled");
  EXPECT_EQ(get("pod hungry", ".status.containerStatuses[0].state.terminated.exitCode"), "137");
}

TEST_F(KubeletRunc, TheTerminationMessageFileBecomesTheTerminatedMessage) {
  ok("create -f -",
     shell_pod("farewell", "echo 'gone fishing' > /dev/termination-log; exit 4", "  restartPolicy: Never\n"));
  ok("create -f -", shell_pod("custom", "echo 'custom path' > /tmp/why; exit 0", "  restartPolicy: Never\n",
                              "    terminationMessagePath: /tmp/why\n"));
  EXPECT_TRUE(
      eventually([&] { return get("pod farewell", ".status.phase") == "Failed"; }, std::chrono::seconds(60)));
  EXPECT_EQ(get("pod farewell", ".status.containerStatuses[0].state.terminated.message"), "gone fishing\n");
  EXPECT_EQ(get("pod farewell", ".status.containerStatuses[0].state.terminated.exitCode"), "4");
  EXPECT_TRUE(eventually([&] { return get("pod custom", ".status.phase") == "Succeeded"; },
                         std::chrono::seconds(60)));
  EXPECT_EQ(get("pod custom", ".status.containerStatuses[0].state.terminated.message"), "custom path\n");
}

TEST_F(KubeletRunc, ACpuLimitCapsTheContainersUsage) {
  ok("create -f -",
     shell_pod("spinner", "while :; do :; done", "", "    resources: {limits: {cpu: 200m}}\n"));
  ASSERT_TRUE(running("spinner"));
  // The container's CPU time over two seconds of wall time, from its cgroup (pid 1's).
  const std::string cgroup = ok("exec spinner -- cat /proc/1/cgroup");
  std::smatch path;
  ASSERT_TRUE(std::regex_search(cgroup, path, std::regex("cpuacct[^:]*:(/kubepods[^\\n]*)"))) << cgroup;
  const fs::path usage =
      fs::path("/sys/fs/cgroup/cpuacct") / fs::path(path[1].str()).relative_path() / "cpuacct.usage";
  auto read_usage = [&] { return std::stoull(read_file(usage)); };
  const uint64_t before = read_usage();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double cores =
      static_cast<double>(read_usage() - before) /
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  // A busy loop takes a whole core unless capped; the quota allows a fifth of one.
  EXPECT_LT(cores, 0.35) << "the container used " << cores << " cores with a 200m limit";
  EXPECT_GT(cores, 0.05) << "the container barely ran: " << cores << " cores";
}

TEST_F(KubeletRunc, AReadOnlyRootFilesystemRefusesWrites) {
  ok("create -f -", sleeper("frozen", "    securityContext: {readOnlyRootFilesystem: true}\n"));
  ASSERT_TRUE(running("frozen"));
  const CommandResult write = (*kubectl_)("exec frozen -- touch /new-file");
  EXPECT_NE(write.exit_code, 0);
  EXPECT_NE(write.out.find("Read-only file system"), std::string::npos) << write.out;
  ok("create -f -", sleeper("writable"));
  ASSERT_TRUE(running("writable"));
  EXPECT_EQ((*kubectl_)("exec writable -- touch /new-file").exit_code, 0);
}

// hostNetwork: until a network driver gives pods their own addresses, a probe reaches the
// server on the node's.
TEST_F(KubeletRunc, ABusyboxHttpdDeploymentBecomesReadyThroughItsReadinessProbe) {
  const std::string port = std::to_string(free_loopback_port());
  const std::string deployment =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
      "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
      "      hostNetwork: true\n      terminationGracePeriodSeconds: 1\n"
      "      containers:\n      - name: httpd\n        image: busybox:1.35\n"
      "        command: [sh, -c, 'echo hello-from-httpd > /var/www/index.html; exec httpd -f -p 127.0.0.1:" +
      port + " -h /var/www']\n        readinessProbe:\n          httpGet: {path: /, port: " + port +
      ", host: 127.0.0.1}\n          periodSeconds: 1\n";
  ok("create -f -", deployment);
  ok("rollout status deployment/web --timeout=90s");
  const std::string pod = get("pods -l app=web", ".items[0].metadata.name");
  EXPECT_EQ(get("pod " + pod, R"(.status.conditions[?(@.type=="Ready")].status)"), "True");
  EXPECT_EQ(run_command("curl -s http://127.0.0.1:" + port + "/").out, "hello-from-httpd\n");
}

TEST_F(KubeletRunc, AKilledDaemonLeavesContainersRunningAndAdoptsThemOnRestart) {
  ok("create -f -", sleeper("keeper"));
  ok("create -f -", shell_pod("quitter", "while [ ! -e /tmp/release ]; do sleep 0.1; done; exit 3",
                              "  restartPolicy: Never\n"));
  ASSERT_TRUE(running("keeper"));
  ASSERT_TRUE(running("quitter"));
  const std::string keeper_id = get("pod keeper", ".status.containerStatuses[0].containerID");

  node_->kill_daemon();
  // The containers run on without the daemon; the quitter, told through runc, exits meanwhile.
  const std::string runc =
      runc_binary() + " --root " + (node_->dir() / "data/plugins/ukube.runtime.v1.runc/runc").string();
  run_command("for id in $(" + runc + " list -q); do " + runc +
              " exec $id touch /tmp/release 2>/dev/null; done");
  node_->start_daemon();

  EXPECT_TRUE(
      eventually([&] { return get("pod quitter", ".status.phase") == "Failed"; }, std::chrono::seconds(60)))
      << ok("get pod quitter -o yaml");
  EXPECT_EQ(get("pod quitter", ".status.containerStatuses[0].state.terminated.exitCode"), "3");
  EXPECT_TRUE(running("keeper"));
  EXPECT_EQ(get("pod keeper", ".status.containerStatuses[0].containerID"), keeper_id);
  EXPECT_EQ(get("pod keeper", ".status.containerStatuses[0].restartCount"), "0");
}

// Debian's docker-registry on 127.0.0.1 with basic authentication; the built-in image is
// pushed there with skopeo, and pods pull it with the credentials of their imagePullSecrets.
TEST_F(KubeletRunc, APodPullsItsImageFromARegistryWithItsPullSecret) {
  if (std::string why = LocalRegistry::unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
  CommandResult hash = run_command(
      "/usr/bin/python3 -W ignore -c \"import crypt; print('alice:' + crypt.crypt('secret', "
      "crypt.mksalt(crypt.METHOD_BLOWFISH)))\"");
  ASSERT_EQ(hash.exit_code, 0) << hash.out;
  LocalRegistry registry(node_->dir() / "registry", hash.out.substr(0, hash.out.find('\n')));
  ASSERT_FALSE(registry.address().empty()) << registry.log();
  CommandResult pushed = registry.push(node_->dir() / "data" / "image-store",
                                       "docker.io/library/busybox:1.35", "team/busybox:1", "alice:secret");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  const std::string image = registry.address() + "/team/busybox:1";
  ok("create secret docker-registry regcred --docker-server=" + registry.address() +
     " --docker-username=alice --docker-password=secret");
  auto pod = [&](const std::string& name, const std::string& secrets) {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n" + secrets +
           "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: " + image +
           "\n    imagePullPolicy: Always\n    command: [sleep, '3600']\n";
  };
  ok("create -f -", pod("with-secret", "  imagePullSecrets: [{name: regcred}]\n"));
  ok("create -f -", pod("without-secret", ""));
  ASSERT_TRUE(running("with-secret")) << ok("describe pod with-secret");
  EXPECT_NE(
      ok("get events --field-selector involvedObject.name=with-secret").find("Successfully pulled image"),
      std::string::npos);
  EXPECT_TRUE(eventually([&] {
    const std::string reason = get("pod without-secret", ".status.containerStatuses[0].state.waiting.reason");
    return reason == "ErrImagePull" || reason == "ImagePullBackOff";
  })) << ok("describe pod without-secret");
}

// A config reload that re-creates runtime-runc (here: a changed setting; a new build of its
// library alike) re-creates the kubelet with it; both find the running containers from
// runc's state and the monitors' records, and nothing is restarted.
TEST_F(KubeletRunc, AReloadedRuntimeAdoptsTheRunningContainers) {
  ok("create -f -", sleeper("steady"));
  ASSERT_TRUE(running("steady"));
  const std::string id = get("pod steady", ".status.containerStatuses[0].containerID");
  const std::string started = get("pod steady", ".status.containerStatuses[0].state.running.startedAt");

  const fs::path config = node_->dir() / "ukube.yaml";
  std::string text = read_file(config);
  const std::string entry = "  - uri: ukube.runtime.v1.runc\n";
  ASSERT_NE(text.find(entry), std::string::npos);
  text.replace(text.find(entry), entry.size(), entry + "    config: {log_max_files: 3}\n");
  std::ofstream(config) << text;
  node_->daemon().signal(SIGHUP);
  ASSERT_TRUE(
      eventually([&] { return count_of(node_->log(), "plugin ukube.kubelet.v1.kubelet running") == 2; },
                 std::chrono::seconds(60)))
      << node_->log();

  ok("create -f -", sleeper("after-reload"));
  EXPECT_TRUE(running("after-reload")) << ok("describe pod after-reload");
  EXPECT_EQ(get("pod steady", ".status.containerStatuses[0].containerID"), id);
  EXPECT_EQ(get("pod steady", ".status.containerStatuses[0].state.running.startedAt"), started);
  EXPECT_EQ(get("pod steady", ".status.containerStatuses[0].restartCount"), "0");
  EXPECT_EQ(ok("exec steady -- hostname"), "steady\n");
}

// seccompProfile RuntimeDefault refuses what upstream's default profiles refuse: here a user
// namespace, which an unconfined container may make.
TEST_F(KubeletRunc, RuntimeDefaultSeccompRefusesNewNamespaces) {
  ok("create -f -", sleeper("confined", "    securityContext: {seccompProfile: {type: RuntimeDefault}}\n"));
  ok("create -f -", sleeper("unconfined", "    securityContext: {seccompProfile: {type: Unconfined}}\n"));
  ASSERT_TRUE(running("confined")) << ok("describe pod confined");
  ASSERT_TRUE(running("unconfined"));
  EXPECT_EQ((*kubectl_)("exec unconfined -- unshare -U true").exit_code, 0);
  const CommandResult refused = (*kubectl_)("exec confined -- unshare -U true");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("Operation not permitted"), std::string::npos) << refused.out;
  EXPECT_EQ(ok("exec confined -- sh -c 'echo still works'"), "still works\n");
}

// shareProcessNamespace: one pid namespace for the pod, whose init is its holder; without
// it, each container sees only its own processes.
TEST_F(KubeletRunc, ShareProcessNamespaceShowsEachContainerTheOthersProcesses) {
  const std::string two_containers =
      "  terminationGracePeriodSeconds: 1\n  containers:\n"
      "  - {name: a, image: busybox:1.35, command: [sleep, '3601']}\n"
      "  - {name: b, image: busybox:1.35, command: [sleep, '3602']}\n";
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: shared}\nspec:\n  shareProcessNamespace: true\n" +
         two_containers);
  ok("create -f -", "apiVersion: v1\nkind: Pod\nmetadata: {name: apart}\nspec:\n" + two_containers);
  ASSERT_TRUE(running("shared")) << ok("describe pod shared");
  ASSERT_TRUE(running("apart"));
  const std::string shared = ok("exec shared -c a -- ps -o pid,args");
  EXPECT_NE(shared.find("sleep 3602"), std::string::npos) << shared;
  EXPECT_NE(shared.find("    1 /"), std::string::npos) << "pid 1 is the holder: " << shared;
  EXPECT_NE(shared.find("ukube-pause"), std::string::npos) << shared;
  const std::string apart = ok("exec apart -c a -- ps -o pid,args");
  EXPECT_EQ(apart.find("sleep 3602"), std::string::npos) << apart;
  EXPECT_NE(apart.find("    1 sleep 3601"), std::string::npos) << apart;
}

// kubectl port-forward into a pod with its own network namespace, which nothing on the host
// reaches: the kubelet connects from inside it. kubectl 1.33 tunnels SPDY through WebSocket,
// 1.30 speaks SPDY. A hostNetwork pod is reached on the host's loopback.
TEST_F(KubeletRunc, PortForwardReachesAServerInThePodsOwnNetworkAndOnTheHosts) {
  const std::string port = std::to_string(free_loopback_port());
  auto httpd_pod = [&](const std::string& name, const std::string& extra_spec) {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n" + extra_spec +
           "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: httpd\n    image: busybox:1.35\n"
           "    command: [sh, -c, 'mkdir -p /tmp/www; echo hello-from-" +
           name + " > /tmp/www/index.html; exec httpd -f -p 127.0.0.1:" + port +
           " -h /tmp/www']\n    readinessProbe:\n      exec: {command: [wget, -q, -O, /dev/null, "
           "'http://127.0.0.1:" +
           port + "/']}\n      periodSeconds: 1\n";
  };
  ok("create -f -", httpd_pod("isolated", ""));
  ok("create -f -", httpd_pod("on-host", "  hostNetwork: true\n"));
  ok("wait --for=condition=Ready pod/isolated pod/on-host --timeout=90s");

  std::vector<std::pair<std::string, Kubectl>> kubectls;
  kubectls.emplace_back("1.33", *kubectl_);
  if (const std::string old = kubectl_binary("1.30"); !old.empty())
    kubectls.emplace_back("1.30", Kubectl(old, *node_));
  for (const auto& [version, kubectl] : kubectls) {
    for (const std::string pod : {"isolated", "on-host"}) {
      PortForwardCommand forward(kubectl, "pod/" + pod + " :" + port,
                                 node_->dir() / ("forward-" + version + "-" + pod + ".out"));
      const int local = forward.local_port();
      ASSERT_NE(local, 0) << "kubectl " << version << ": " << forward.output();
      EXPECT_EQ(run_command("curl -sS --max-time 30 http://127.0.0.1:" + std::to_string(local) + "/").out,
                "hello-from-" + pod + "\n")
          << "kubectl " << version << ": " << forward.output();
    }
  }
  // On the host's loopback only the hostNetwork pod listens.
  EXPECT_EQ(run_command("curl -s http://127.0.0.1:" + port + "/").out, "hello-from-on-host\n");
}

}  // namespace
}  // namespace ukube::testing
