#include "node_agent.h"

#include <spdlog/spdlog.h>

#include <set>

#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/quantity.h"

namespace ukube::kubelet {

namespace {
// Upstream's eviction monitoring interval (--housekeeping-interval), the usage sampler's too.
constexpr std::chrono::seconds kEvictionInterval{10};
// Upstream's scheduling.SystemCriticalPriority: pods at or above it are not evicted.
constexpr int64_t kSystemCriticalPriority = 2000000000;
}  // namespace

NodeAgent::NodeAgent(NodeAgentDeps deps)
    : deps_(std::move(deps)),
      view_(*deps_.driver, deps_.network.get()),
      reporter_(deps_.node_name, *deps_.settings, *deps_.machine, deps_.driver, deps_.network, deps_.client,
                deps_.log),
      pods_(PodWorkerDeps{deps_.node_name, deps_.settings->node_ip, deps_.logs_root, deps_.driver,
                          deps_.network, &view_, deps_.client, deps_.pods, deps_.services, deps_.dns,
                          deps_.events, deps_.prober, deps_.log, deps_.volumes_root, deps_.metrics.get()}),
      thresholds_(eviction::parse_thresholds(deps_.settings->eviction_hard)) {
  auto memory = deps_.settings->capacity.find("memory");
  if (memory != deps_.settings->capacity.end())
    if (auto q = machinery::Quantity::parse(memory->second)) memory_capacity_ = q->value();
}

NodeAgent::~NodeAgent() {
  stop();
}

void NodeAgent::start() {
  if (!deps_.static_pod_path.empty() || !deps_.static_pod_url.empty())
    static_pods_ = std::make_unique<StaticPods>(deps_.node_name, deps_.static_pod_path, deps_.static_pod_url,
                                                deps_.client, deps_.pods, deps_.log);
  // The handler runs on a driver thread: it only looks the pod up and queues it.
  subscription_ = deps_.driver->subscribe([this](const runtime::ContainerEvent& event) {
    PodKey key = view_.pod_of_sandbox(event.pod_sandbox_id);
    if (!key.empty()) deps_.enqueue(key);
  });
}

void NodeAgent::stop() {
  if (subscription_) deps_.driver->unsubscribe(*subscription_);
  subscription_.reset();
}

void NodeAgent::check_eviction(std::chrono::steady_clock::time_point now) {
  if (!deps_.usage || now < next_eviction_check_) return;
  next_eviction_check_ = now + kEvictionInterval;
  stats::Summary usage;
  try {
    usage = deps_.usage();
  } catch (const std::exception& e) {
    deps_.log->warn("node {}: eviction: cannot read the node's usage: {}", deps_.node_name, e.what());
    return;
  }
  const auto crossed = eviction::crossed(thresholds_, eviction::observe(usage, memory_capacity_));
  bool memory = false, disk = false;
  for (const auto& c : crossed) (c.threshold->signal == "memory.available" ? memory : disk) = true;
  reporter_.set_pressure(memory, disk);
  if (crossed.empty()) return;
  // As upstream: one pod per interval, for the first signal crossed, the worst offender first.
  const eviction::Crossed& first = crossed.front();
  const std::string resource = eviction::resource_of(first.threshold->signal);
  std::vector<eviction::Candidate> candidates;
  for (const auto& pod : deps_.pods->list()) {
    if (machinery::string_at(*pod, {"spec", "nodeName"}) != deps_.node_name) continue;
    if (machinery::has_deletion_timestamp(*pod) || machinery::is_pod_terminal(*pod)) continue;
    // As upstream, static (mirror) pods and critical ones are never evicted.
    if (!machinery::string_at(*pod, {"metadata", "annotations", "kubernetes.io/config.mirror"}).empty() ||
        machinery::int_or(*pod, {"spec", "priority"}, 0) >= kSystemCriticalPriority)
      continue;
    candidates.push_back(eviction::candidate_of(*pod, usage, resource));
  }
  if (candidates.empty()) return;
  eviction::rank(candidates);
  const eviction::Candidate& victim = candidates.front();
  const std::string message = eviction::message(first, victim);
  deps_.log->info("node {}: evicting pod {}: {}", deps_.node_name, victim.key, message);
  pods_.evict(victim.uid, PodFailure{"Evicted", message, true});
  if (deps_.metrics) deps_.metrics->count_eviction(first.threshold->signal);
  deps_.enqueue(victim.key);
  // The next look waits for a usage sample taken after this pod stopped, lest the same
  // pressure evict a second pod (upstream waits for the evicted pod's cleanup).
  next_eviction_check_ = now + 2 * kEvictionInterval;
}

void NodeAgent::collect_network_garbage() {
  if (!deps_.network) return;
  auto attached = deps_.network->attached_sandboxes();  // first: see the driver's interface
  if (attached.empty()) return;
  std::set<std::string> live;
  for (const auto& sandbox : deps_.driver->list_pod_sandboxes()) live.insert(sandbox.id);
  for (const auto& id : attached) {
    if (live.count(id)) continue;
    network::PodNetwork gone;
    gone.sandbox_id = id;
    try {
      deps_.network->remove(gone);
      deps_.log->info("node {}: released the network of sandbox {}, which is gone", deps_.node_name, id);
    } catch (const std::exception& e) {
      deps_.log->warn("node {}: releasing the network of gone sandbox {}: {}", deps_.node_name, id, e.what());
    }
  }
}

void NodeAgent::tick(std::chrono::steady_clock::time_point now) {
  reporter_.tick(now);
  check_eviction(now);
  // The runtime's events keep the view current between relists: the gauges follow it.
  if (deps_.metrics) {
    auto counts = view_.counts();
    deps_.metrics->set_running(counts.ready_pods, std::move(counts.containers));
  }
  if (static_pods_) static_pods_->tick(now);
  if (now < next_relist_) return;
  next_relist_ = now + deps_.settings->relist;
  try {
    const auto started = std::chrono::steady_clock::now();
    const auto changed = view_.relist();
    if (deps_.metrics)
      deps_.metrics->observe_relist(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    for (const auto& key : changed) deps_.enqueue(key);
    collect_network_garbage();
  } catch (const std::exception& e) {
    deps_.log->warn("node {}: listing the runtime's containers failed: {}; retrying", deps_.node_name,
                    e.what());
    next_relist_ = now + std::chrono::seconds(1);
  }
}

}  // namespace ukube::kubelet
