// controllers_bench: the Deployment and ReplicaSet controllers, the scheduler and 100
// simulated kubelets (fake runtime) together, driven with real kubectl as a user would:
// the seconds from `kubectl create` to every pod Running and the rollout complete (as
// `kubectl rollout status` reports it), for
// one Deployment of 10,000 replicas, then 1,000 Deployments of 10, then a rolling update
// of the big one. Targets on two cores: 10,000 replicas in 10 s, the update in 20 s.
#include <cstdio>
#include <string>

#include "tests/bench/cluster_bench.h"

using namespace ukube::bench;

namespace {

constexpr int kNodes = 100;
constexpr int kMaxPods = 250;  // room for 20,000 pods and the rolling update's surge
constexpr int kBigReplicas = 10000;
constexpr int kSmallDeployments = 1000;
constexpr int kSmallReplicas = 10;
constexpr std::chrono::seconds kLimit{600};

// One YAML stream of Deployments (not a v1 List: kubectl validates a List on the client
// against OpenAPI v2 in protobuf, which the API server does not serve yet).
std::string small_deployments() {
  std::string yaml;
  for (int i = 0; i < kSmallDeployments; ++i) {
    const std::string name = "small-" + std::to_string(i);
    yaml += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
            "}\nspec:\n  replicas: " + std::to_string(kSmallReplicas) +
            "\n  selector: {matchLabels: {app: " + name +
            "}}\n  template:\n    metadata: {labels: {app: " + name +
            "}}\n    spec: {containers: [{name: c, image: nginx}]}\n";
  }
  return yaml;
}

// Waits for the Deployment's rollout as a user does, with `kubectl rollout status` (one
// watch), then checks that every replica is updated and available.
bool rolled_out(const Kubectl& kubectl, const std::string& deployment, const std::string& status,
                const std::string& want) {
  CommandResult watched = kubectl("rollout status deployment/" + deployment +
                                  " --timeout=" + std::to_string(kLimit.count()) + "s");
  if (watched.exit_code != 0) return false;
  CommandResult got =
      kubectl("get deployment " + deployment + " -o jsonpath=" + ukube::testing::shell_quote(status));
  return got.exit_code == 0 && got.out == want;
}

// Says what went wrong with the end of the daemon's log; the exit status of a failed run.
int fail(const char* what, const Node& node) {
  std::fprintf(stderr, "controllers_bench: %s; daemon log tail:\n%s\n", what,
               node.log().substr(node.log().size() > 4000 ? node.log().size() - 4000 : 0).c_str());
  return 1;
}

}  // namespace

int main() {
  std::printf("controllers_bench: %d simulated nodes (fake runtime), kubectl %s\n", kNodes,
              ukube::testing::kubectl_binary("1.33").empty() ? "from PATH" : "1.33");
  Node node(cluster_plugins(kNodes, kMaxPods));
  if (!node.ready()) return fail("the daemon did not start", node);
  std::string binary = ukube::testing::kubectl_binary("1.33");
  Kubectl kubectl(binary.empty() ? "kubectl" : binary, node);
  const pid_t pid = node.daemon().pid();
  std::string all_ready;
  for (int i = 0; i < kNodes; ++i) all_ready += i ? " True" : "True";
  if (!wait_for(kubectl, "nodes", R"({.items[*].status.conditions[?(@.type=="Ready")].status})", all_ready,
                kLimit))
    return fail("the nodes did not become Ready", node);
  print_row("idle, nodes Ready", 1, 0, rss_mib(pid));

  const std::string big_done =
      std::to_string(kBigReplicas) + " " + std::to_string(kBigReplicas) + " " + std::to_string(kBigReplicas);
  const std::string big_status = "{.status.replicas} {.status.updatedReplicas} {.status.availableReplicas}";
  {
    Stopwatch clock;
    const double cpu = cpu_seconds(pid);
    CommandResult created =
        kubectl("create deployment big --image=nginx --replicas=" + std::to_string(kBigReplicas));
    if (created.exit_code != 0) return fail(created.out.c_str(), node);
    if (!rolled_out(kubectl, "big", big_status, big_done))
      return fail("the 10,000-replica Deployment did not become available", node);
    print_row("1 Deployment x 10,000 replicas: all Running", clock.seconds(), kBigReplicas, rss_mib(pid),
              cpu_seconds(pid) - cpu);
  }
  {
    Stopwatch clock;
    const double cpu = cpu_seconds(pid);
    CommandResult applied = kubectl("apply -f -", small_deployments());
    if (applied.exit_code != 0) return fail(applied.out.substr(0, 2000).c_str(), node);
    std::string want(kSmallDeployments, 'x');
    if (!wait_for(
            kubectl, "deployments",
            "{range .items[?(@.status.availableReplicas==" + std::to_string(kSmallReplicas) + ")]}x{end}",
            want, kLimit))
      return fail("the 1,000 Deployments did not become available", node);
    print_row("1,000 Deployments x 10 replicas: all Running", clock.seconds(),
              kSmallDeployments * kSmallReplicas, rss_mib(pid), cpu_seconds(pid) - cpu);
  }
  {
    Stopwatch clock;
    const double cpu = cpu_seconds(pid);
    CommandResult updated = kubectl("set image deployment/big nginx=nginx:1.27");
    if (updated.exit_code != 0) return fail(updated.out.c_str(), node);
    const std::string generation = kubectl("get deployment big -o jsonpath={.metadata.generation}").out;
    if (!rolled_out(kubectl, "big", "{.status.observedGeneration} " + big_status,
                    generation + " " + big_done))
      return fail("the rolling update did not complete", node);
    print_row("rolling update of the 10,000 replicas", clock.seconds(), kBigReplicas, rss_mib(pid),
              cpu_seconds(pid) - cpu);
  }
  std::printf("targets on 2 cores: 10,000 replicas Running in <= 10 s; the rolling update in <= 20 s\n");
  return 0;
}
