// The kubelet in the real daemon, on the fake runtime, observed with real kubectl: its
// Node and Lease, pods started, restarted, failing to pull and terminated gracefully.
#include <gtest/gtest.h>

#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/curl_client.h"
#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

// The fake runtime's images: what a container of each does (plugins/runtime-fake/config.proto).
std::string plugins(const std::string& kubelet_config) {
  return "  - uri: ukube.authorizer.v1.node\n"
         "  - uri: ukube.admission.v1.node-restriction\n"
         "  - uri: ukube.scheduler.v1.default\n"
         "  - uri: ukube.controller.v1.replicaset\n"
         "  - uri: ukube.controller.v1.deployment\n"
         "  - uri: ukube.controller.v1.garbagecollector\n"
         "  - uri: ukube.runtime.v1.fake\n"
         "    config:\n"
         "      images:\n"
         "        crash: {exit_after_ms: 200, exit_code: 2}\n"
         "        done: {exit_after_ms: 100, exit_code: 0}\n"
         "        broken: {pull_fails: true}\n"
         "        stubborn: {ignores_sigterm: true}\n"
         // 249.5m: the rate from two samples may be a nano-core off either way, and kubectl
         // rounds up to 250m from anywhere in between.
         "        busy: {cpu_nanocores: 249500000, memory_bytes: 104857600}\n"
         "  - uri: ukube.kubelet.v1.kubelet\n"
         "    config: " +
         kubelet_config + "\n";
}

std::string pod_yaml(const std::string& name, const std::string& image, const std::string& extra_spec = "") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n" + extra_spec +
         "  containers:\n  - name: c\n    image: " + image + "\n";
}

class KubeletKubectl : public KubectlFixture<> {
 protected:
  void start(const std::string& kubelet_config = "{node_name: kt-node, port: 0}") {
    start_node(newest_kubectl(), plugins(kubelet_config));
  }
  bool eventually_reads(const std::string& what, const std::string& jsonpath, const std::string& want) {
    return eventually([&] { return get(what, jsonpath) == want; }, std::chrono::seconds(30));
  }
};

TEST_F(KubeletKubectl, NodeRegistersReadyWithItsLeaseAndDescribesAsARealNode) {
  start();
  ASSERT_TRUE(eventually_reads("node kt-node", R"(.status.conditions[?(@.type=="Ready")].status)", "True"))
      << ok("get nodes -o yaml");
  EXPECT_EQ(get("lease -n kube-node-lease kt-node", ".spec.holderIdentity"), "kt-node");
  EXPECT_EQ(get("lease -n kube-node-lease kt-node", ".metadata.ownerReferences[0].kind"), "Node");
  EXPECT_EQ(get("node kt-node", ".metadata.labels.kubernetes\\.io/hostname"), "kt-node");
  const std::string describe = ok("describe node kt-node");
  for (const char* expected :
       {"KubeletReady", "kubelet is posting ready status", "KubeletHasSufficientMemory",
        "KubeletHasNoDiskPressure", "KubeletHasSufficientPID",
        "Capacity:", "Allocatable:", "System Info:", "Container Runtime Version:  ukube-fake://",
        "Kubelet Version:", "InternalIP:  127.0.0.1", "Hostname:    kt-node"})
    EXPECT_NE(describe.find(expected), std::string::npos) << expected << " missing from\n" << describe;
  // The heartbeat moves on.
  const std::string first = get("lease -n kube-node-lease kt-node", ".spec.renewTime");
  EXPECT_TRUE(eventually([&] { return get("lease -n kube-node-lease kt-node", ".spec.renewTime") != first; },
                         std::chrono::seconds(30)));
}

TEST_F(KubeletKubectl, ADeploymentRunsAndItsRolloutCompletes) {
  start();
  ok("create deployment web --image=nginx --replicas=3");
  ok("rollout status deployment/web --timeout=60s");
  const std::string phases = get("pods -l app=web", ".items[*].status.phase");
  EXPECT_EQ(phases, "Running Running Running");
  EXPECT_EQ(get("pods -l app=web", ".items[*].spec.nodeName"), "kt-node kt-node kt-node");
  for (const auto& ip : {get("pods -l app=web", ".items[0].status.podIP")})
    EXPECT_EQ(ip.rfind("10.42.", 0), 0u) << ip;
  EXPECT_EQ(get("pods -l app=web", R"(.items[0].status.conditions[?(@.type=="Ready")].status)"), "True");
  EXPECT_EQ(
      get("pods -l app=web", ".items[0].status.containerStatuses[0].containerID").rfind("ukube-fake://", 0),
      0u);
  const std::string pod = get("pods -l app=web", ".items[0].metadata.name");
  const std::string events = ok("describe pod " + pod);
  for (const char* expected : {"Scheduled", "Pulled", "Created", "Started", "Started container nginx"})
    EXPECT_NE(events.find(expected), std::string::npos) << expected << " missing from\n" << events;
}

TEST_F(KubeletKubectl, AStuckRolloutExceedsItsDeadlineAndUndoRestoresThePreviousTemplate) {
  start();
  ok("create deployment web --image=nginx --replicas=2");
  ok("patch deployment web -p " + shell_quote(R"({"spec":{"progressDeadlineSeconds":3}})"));
  ok("rollout status deployment/web --timeout=60s");
  // An image that cannot be pulled: the new pods never become ready.
  ok("set image deployment/web nginx=broken");
  EXPECT_TRUE(eventually_reads("deployment web", R"(.status.conditions[?(@.type=="Progressing")].reason)",
                               "ProgressDeadlineExceeded"))
      << ok("get deployment web -o yaml");
  CommandResult stuck = (*kubectl_)("rollout status deployment/web --timeout=30s");
  EXPECT_NE(stuck.exit_code, 0);
  EXPECT_NE(stuck.out.find("exceeded its progress deadline"), std::string::npos) << stuck.out;
  EXPECT_EQ(get("rs", ".items[*].spec.template.spec.containers[0].image").size(),
            std::string("nginx broken").size());
  ok("rollout undo deployment/web");
  ok("rollout status deployment/web --timeout=60s");
  EXPECT_EQ(get("deployment web", ".spec.template.spec.containers[0].image"), "nginx");
  EXPECT_EQ(get("pods -l app=web", ".items[*].status.phase"), "Running Running");
  EXPECT_NE(ok("rollout history deployment/web").find("3 "), std::string::npos);
}

TEST_F(KubeletKubectl, ACrashingContainerBacksOffAndShowsItsLastExit) {
  start();
  ok("create -f -", pod_yaml("crasher", "crash"));
  ASSERT_TRUE(eventually_reads("pod crasher", ".status.containerStatuses[0].state.waiting.reason",
                               "CrashLoopBackOff"))
      << ok("get pod crasher -o yaml");
  EXPECT_EQ(get("pod crasher", ".status.containerStatuses[0].lastState.terminated.exitCode"), "2");
  EXPECT_EQ(get("pod crasher", ".status.containerStatuses[0].lastState.terminated.reason"), "Error");
  EXPECT_NE(get("pod crasher", ".status.containerStatuses[0].restartCount"), "0");
  EXPECT_NE(ok("get pod crasher").find("CrashLoopBackOff"), std::string::npos);
  EXPECT_NE(ok("describe pod crasher").find("Back-off restarting failed container c in pod crasher_default"),
            std::string::npos);
}

TEST_F(KubeletKubectl, APodThatRunsToCompletionSucceedsAndAFailedPullIsReported) {
  start();
  ok("create -f -", pod_yaml("once", "done", "  restartPolicy: Never\n"));
  ok("create -f -", pod_yaml("nopull", "broken"));
  EXPECT_TRUE(eventually_reads("pod once", ".status.phase", "Succeeded")) << ok("get pod once -o yaml");
  EXPECT_EQ(get("pod once", ".status.containerStatuses[0].state.terminated.reason"), "Completed");
  EXPECT_EQ(get("pod once", R"(.status.conditions[?(@.type=="Ready")].reason)"), "PodCompleted");
  EXPECT_TRUE(eventually([&] {
    const std::string reason = get("pod nopull", ".status.containerStatuses[0].state.waiting.reason");
    return reason == "ErrImagePull" || reason == "ImagePullBackOff";
  })) << ok("get pod nopull -o yaml");
  EXPECT_EQ(get("pod nopull", ".status.phase"), "Pending");
  EXPECT_NE(ok("describe pod nopull").find("Failed to pull image \"broken\""), std::string::npos);
}

TEST_F(KubeletKubectl, DeleteStopsThePodWithinItsGracePeriodThenRemovesIt) {
  start();
  ok("create -f -", pod_yaml("slow", "stubborn", "  terminationGracePeriodSeconds: 4\n"));
  ok("create -f -", pod_yaml("quick", "nginx"));
  ASSERT_TRUE(eventually_reads("pod slow", ".status.phase", "Running"));
  ASSERT_TRUE(eventually_reads("pod quick", ".status.phase", "Running"));
  ok("delete pod slow --wait=false");
  // The API only marks it: the container ignores SIGTERM, so the kubelet holds it for the
  // whole grace period before it kills it and removes the pod.
  EXPECT_NE(get("pod slow", ".metadata.deletionTimestamp"), "");
  EXPECT_EQ(get("pod slow", ".metadata.deletionGracePeriodSeconds"), "4");
  EXPECT_NE(ok("get pod slow").find("Terminating"), std::string::npos);
  // `kubectl delete` waits for the pod to go, which the kubelet does once it stopped.
  ok("delete pod quick --timeout=30s");
  EXPECT_TRUE(
      eventually([&] { return (*kubectl_)("get pod slow").out.find("NotFound") != std::string::npos; },
                 std::chrono::seconds(30)));
  // A pod no kubelet runs yet goes at once.
  ok("create -f -", pod_yaml("unbound", "nginx", "  nodeSelector: {nowhere: \"true\"}\n"));
  ok("delete pod unbound --wait=false");
  EXPECT_NE(refused("get pod unbound").out.find("NotFound"), std::string::npos);
}

TEST_F(KubeletKubectl, ProbesDecideReadinessAndRestartAnUnhealthyContainer) {
  start();
  // The fake runtime's scripted exec answers the probes: "print <text> <exit code>".
  const std::string failing_readiness =
      "  containers:\n  - name: c\n    image: nginx\n    readinessProbe:\n"
      "      exec: {command: [ukube-fake-exec, print, not-yet, '1']}\n      periodSeconds: 1\n";
  const std::string passing_readiness =
      "  containers:\n  - name: c\n    image: nginx\n    readinessProbe:\n"
      "      exec: {command: [ukube-fake-exec, print, fine, '0']}\n      periodSeconds: 1\n";
  const std::string failing_liveness =
      "  containers:\n  - name: c\n    image: nginx\n    livenessProbe:\n"
      "      exec: {command: [ukube-fake-exec, print, dead, '1']}\n      periodSeconds: 1\n      "
      "failureThreshold: 2\n";
  auto pod = [](const std::string& name, const std::string& containers) {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n" + containers;
  };
  ok("create -f -", pod("unready", failing_readiness));
  ok("create -f -", pod("ready", passing_readiness));
  ok("create -f -", pod("unhealthy", failing_liveness));
  ASSERT_TRUE(eventually_reads("pod ready", R"(.status.conditions[?(@.type=="Ready")].status)", "True"));
  EXPECT_EQ(get("pod unready", ".status.phase"), "Running");
  EXPECT_EQ(get("pod unready", R"(.status.conditions[?(@.type=="Ready")].status)"), "False");
  EXPECT_EQ(get("pod unready", ".status.containerStatuses[0].ready"), "false");
  EXPECT_TRUE(eventually([&] {
    return ok("describe pod unready").find("Readiness probe failed: not-yet") != std::string::npos;
  }));
  EXPECT_TRUE(
      eventually([&] { return get("pod unhealthy", ".status.containerStatuses[0].restartCount") != "0"; },
                 std::chrono::seconds(30)))
      << ok("get pod unhealthy -o yaml");
  const std::string events = ok("describe pod unhealthy");
  EXPECT_NE(events.find("Liveness probe failed: dead"), std::string::npos) << events;
  EXPECT_NE(events.find("Container c failed liveness probe, will be restarted"), std::string::npos) << events;
}

TEST_F(KubeletKubectl, ManyKubeletsInOneDaemonSimulateACluster) {
  start("{node_name: sim, nodes: 4, port: 0}");
  EXPECT_TRUE(eventually([&] {
    return get("nodes", R"(.items[*].status.conditions[?(@.type=="Ready")].status)") == "True True True True";
  })) << ok("get nodes");
  EXPECT_EQ(get("nodes", ".items[*].metadata.name"), "sim-0 sim-1 sim-2 sim-3");
  ok("create deployment spread --image=nginx --replicas=8");
  ok("rollout status deployment/spread --timeout=60s");
  EXPECT_EQ(get("pods -l app=spread", ".items[*].status.phase"),
            "Running Running Running Running Running Running Running Running");
}

// The columns of `kubectl top ... --no-headers`, row by row.
std::vector<std::vector<std::string>> table_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::vector<std::string> row{std::istream_iterator<std::string>(cells), {}};
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

TEST_F(KubeletKubectl, TopShowsWhatPodsAndTheNodeUseWithoutAMetricsServer) {
  start();
  const std::string discovery = ok("api-resources --api-group=metrics.k8s.io");
  EXPECT_NE(discovery.find("PodMetrics"), std::string::npos) << discovery;
  EXPECT_NE(discovery.find("NodeMetrics"), std::string::npos) << discovery;
  ok("run busy --image=busy");
  ok("create -f -", pod_yaml("idle", "nginx"));
  ASSERT_TRUE(eventually_reads("pod busy", ".status.phase", "Running")) << ok("get pod busy -o yaml");
  // CPU is a rate: it shows once the kubelet sampled the container twice.
  std::string top;
  ASSERT_TRUE(eventually(
      [&] {
        top = (*kubectl_)("top pod busy --no-headers").out;
        return top.find("250m") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << top;
  EXPECT_EQ(table_rows(top), (std::vector<std::vector<std::string>>{{"busy", "250m", "100Mi"}})) << top;
  EXPECT_EQ(table_rows(ok("top pod -l run=busy --containers --no-headers")),
            (std::vector<std::vector<std::string>>{{"busy", "busy", "250m", "100Mi"}}));
  ASSERT_TRUE(eventually([&] { return table_rows((*kubectl_)("top pod -A --no-headers").out).size() == 2; },
                         std::chrono::seconds(60)));
  const auto all = table_rows(ok("top pod -A --no-headers"));
  EXPECT_EQ(all[0], (std::vector<std::string>{"default", "busy", "250m", "100Mi"}));
  EXPECT_EQ(all[1], (std::vector<std::string>{"default", "idle", "0m", "0Mi"}));  // nginx is idle here

  // The simulated node uses what its pods do.
  std::vector<std::vector<std::string>> nodes;
  ASSERT_TRUE(eventually(
      [&] {
        nodes = table_rows((*kubectl_)("top node --no-headers").out);
        return nodes.size() == 1 && nodes[0].size() == 5 && nodes[0][1] == "250m";
      },
      std::chrono::seconds(60)))
      << ok("top node");
  EXPECT_EQ(nodes[0][0], "kt-node");
  EXPECT_EQ(nodes[0][3], "100Mi");

  // The kubelet's own endpoints, as metrics collectors read them (the admin may: nodes/stats,
  // nodes/metrics).
  const std::string port = get("node kt-node", ".status.daemonEndpoints.kubeletEndpoint.Port");
  const auto pki = Curl(*node_).pki();
  auto kubelet = [&](const std::string& path) {
    return run_command("curl -sS --max-time 30 --cacert " + shell_quote((pki / "ca.crt").string()) +
                       " --cert " + shell_quote((pki / "admin.crt").string()) + " --key " +
                       shell_quote((pki / "admin.key").string()) + " https://127.0.0.1:" + port + path)
        .out;
  };
  const std::string resource = kubelet("/metrics/resource");
  EXPECT_NE(resource.find("container_memory_working_set_bytes{container=\"busy\",namespace=\"default\",pod="
                          "\"busy\"} 1.048576e+08 "),
            std::string::npos)
      << resource;
  EXPECT_NE(resource.find("# TYPE node_cpu_usage_seconds_total counter\nnode_cpu_usage_seconds_total "),
            std::string::npos)
      << resource;
  EXPECT_NE(resource.find("\nresource_scrape_error 0\n"), std::string::npos) << resource;
  const std::string summary = kubelet("/stats/summary");
  EXPECT_NE(summary.find("\"nodeName\":\"kt-node\""), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"usageNanoCores\":249500000"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"workingSetBytes\":104857600"), std::string::npos) << summary;

  const CommandResult missing = refused("top pod nope");
  EXPECT_NE(missing.out.find("podmetrics.metrics.k8s.io \"default/nope\" not found"), std::string::npos)
      << missing.out;
}

TEST_F(KubeletKubectl, APodPastItsActiveDeadlineIsKilledAndFails) {
  start();
  ok("create -f -", pod_yaml("bounded", "nginx", "  activeDeadlineSeconds: 2\n"));
  ASSERT_TRUE(eventually_reads("pod bounded", ".status.phase", "Failed")) << ok("get pod bounded -o yaml");
  EXPECT_EQ(get("pod bounded", ".status.reason"), "DeadlineExceeded");
  EXPECT_EQ(get("pod bounded", ".status.message"),
            "Pod was active on the node longer than the specified deadline");
  EXPECT_TRUE(
      eventually_reads("pod bounded", ".status.containerStatuses[0].state.terminated.reason", "Error") ||
      !get("pod bounded", ".status.containerStatuses[0].state.terminated").empty())
      << ok("get pod bounded -o yaml");
  EXPECT_EQ(get("events --field-selector reason=DeadlineExceeded", ".items[0].type"), "Normal");
}

TEST_F(KubeletKubectl, ANodeOutOfMemoryEvictsAPodAndCountsItInItsMetrics) {
  // 300Mi of memory, 100Mi held back by the hard threshold: three pods of 100 MiB each leave
  // nothing available, and the kubelet evicts one of them.
  start("{node_name: kt-node, port: 0, memory: 300Mi}");
  for (const char* name : {"hog-1", "hog-2", "hog-3"}) ok("create -f -", pod_yaml(name, "busy"));
  std::string evicted;
  ASSERT_TRUE(eventually(
      [&] {
        for (const char* name : {"hog-1", "hog-2", "hog-3"})
          if (get(std::string("pod ") + name, ".status.reason") == "Evicted") evicted = name;
        return !evicted.empty();
      },
      std::chrono::seconds(90)))
      << ok("get pods -o yaml") << ok("get node kt-node -o yaml");
  EXPECT_EQ(get("pod " + evicted, ".status.phase"), "Failed");
  const std::string message = get("pod " + evicted, ".status.message");
  EXPECT_EQ(message.rfind("The node was low on resource: memory. Threshold quantity: 100Mi, available: ", 0),
            0u)
      << message;
  EXPECT_NE(message.find("Container c was using 100Mi, request is 0, has larger consumption of memory."),
            std::string::npos)
      << message;
  EXPECT_EQ(get("pod " + evicted, R"(.status.conditions[?(@.type=="DisruptionTarget")].reason)"),
            "TerminationByKubelet");
  EXPECT_EQ(get("events --field-selector reason=Evicted", ".items[0].involvedObject.name"), evicted);

  // The kubelet's own /metrics (nodes/metrics, which the admin may read) counted it.
  const std::string port = get("node kt-node", ".status.daemonEndpoints.kubeletEndpoint.Port");
  const auto pki = Curl(*node_).pki();
  std::string metrics;
  EXPECT_TRUE(eventually(
      [&] {
        metrics =
            run_command("curl -sS --max-time 30 --cacert " + shell_quote((pki / "ca.crt").string()) +
                        " --cert " + shell_quote((pki / "admin.crt").string()) + " --key " +
                        shell_quote((pki / "admin.key").string()) + " https://127.0.0.1:" + port + "/metrics")
                .out;
        // Two pods run on: the gauges follow the runtime.
        return metrics.find("\nkubelet_evictions{eviction_signal=\"memory.available\"} 1\n") !=
                   std::string::npos &&
               metrics.find("\nkubelet_running_containers{container_state=\"running\"} 2\n") !=
                   std::string::npos &&
               metrics.find("\nkubelet_running_pods 2\n") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << metrics;
  EXPECT_NE(metrics.find("# TYPE kubelet_pod_start_duration_seconds histogram\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nkubelet_pod_start_duration_seconds_count 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nkubelet_pleg_relist_duration_seconds_bucket{le=\"+Inf\"} "), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nkubelet_running_containers{container_state=\"running\"} "), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nkubelet_running_pods "), std::string::npos) << metrics;
}

}  // namespace
}  // namespace ukube::testing
