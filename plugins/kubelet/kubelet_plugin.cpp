#include "kubelet_plugin.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "kubelet/config.pb.h"
#include "ukube/auth.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"
#include "ukube/network/driver.h"
#include "ukube/pki.h"
#include "ukube/runtime/driver.h"

namespace ukube::kubelet {
namespace {

UserInfo node_user(const std::string& node) {
  return UserInfo{"system:node:" + node, "", {"system:nodes", "system:authenticated"}, {}};
}

runtime::RuntimeProvider& find_runtime(InitContext& ctx, const std::string& wanted) {
  if (!wanted.empty()) {
    // "runc,process": the first of these that is enabled and running (an optional runtime
    // the machine cannot run is skipped at start).
    std::vector<std::string> names;
    std::stringstream list(wanted);
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) names.push_back(name);
    for (const auto& name : names)
      if (auto* provider = ctx.get<runtime::RuntimeProvider>(name)) return *provider;
    throw std::invalid_argument("kubelet config: runtime: \"" + wanted +
                                "\" names no enabled and running runtime plugin; enable one (e.g. "
                                "ukube.runtime.v1." +
                                (names.empty() ? wanted : names.front()) +
                                "; `ukube plugins` says why one was skipped) or name another");
  }
  auto providers = ctx.all_of<runtime::RuntimeProvider>();
  if (providers.empty())
    throw std::invalid_argument(
        "the kubelet needs a runtime plugin: enable ukube.runtime.v1.runc (OCI containers), "
        "ukube.runtime.v1.process (host processes) or ukube.runtime.v1.fake (simulated pods)");
  if (providers.size() > 1)
    throw std::invalid_argument(
        "several runtime plugins are enabled: name the kubelet's in its config (runtime: process, or a "
        "preference list such as runtime: runc,process)");
  return *providers.front();
}

// Null when pods are not to be attached: "none", or no network plugin running.
network::NetworkProvider* find_network(InitContext& ctx, const std::string& wanted) {
  if (wanted == "none") return nullptr;
  if (!wanted.empty()) {
    if (auto* provider = ctx.get<network::NetworkProvider>(wanted)) return provider;
    throw std::invalid_argument("kubelet config: network: \"" + wanted +
                                "\" names no enabled and running network plugin; enable ukube.network.v1." +
                                wanted + " (`ukube plugins` says why one was skipped), or say network: none");
  }
  auto providers = ctx.all_of<network::NetworkProvider>();
  if (providers.size() > 1)
    throw std::invalid_argument(
        "several network plugins are enabled: name the kubelet's in its config (network: cni-bridge)");
  return providers.empty() ? nullptr : providers.front();
}

std::string node_of(const ObjectPtr& pod) {
  return pod ? machinery::string_at(*pod, {"spec", "nodeName"}) : "";
}

// A change a kubelet acts on: its spec (binding included), its deletion, a new incarnation.
// Status changes are the kubelet's own writes, or others' that it does not act on.
bool worth_a_sync(const boost::json::object& before, const boost::json::object& after) {
  return machinery::uid_of(before) != machinery::uid_of(after) ||
         machinery::has_deletion_timestamp(before) != machinery::has_deletion_timestamp(after) ||
         machinery::value_at(before, {"metadata", "deletionGracePeriodSeconds"}) !=
             machinery::value_at(after, {"metadata", "deletionGracePeriodSeconds"}) ||
         machinery::object_or_empty(machinery::object_at(before, {"spec"})) !=
             machinery::object_or_empty(machinery::object_at(after, {"spec"})) ||
         machinery::pod_phase(before) != machinery::pod_phase(after);
}

}  // namespace

KubeletPlugin::KubeletPlugin() = default;

KubeletPlugin::~KubeletPlugin() {
  stop();
}

void KubeletPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  machine_ = read_machine_info(ctx.data_dir());
  settings_ = kubelet_settings(ctx.config_as<KubeletConfig>(), machine_);
  logs_root_ = (ctx.state_dir() / "pod-logs").string();
  volumes_root_ = (ctx.state_dir() / "pods").string();
  if (settings_.static_pod_path.empty())
    settings_.static_pod_path = (ctx.data_dir() / "pod-manifests").string();
  informers_ = &ctx.informers();
  dns_.servers = settings_.cluster_dns;
  dns_.domain = settings_.cluster_domain;
  dns_.host = read_resolv_conf(settings_.resolv_conf);
  runtime::RuntimeProvider& provider = find_runtime(ctx, settings_.runtime);
  network::NetworkProvider* network = find_network(ctx, settings_.network);
  for (const auto& name : settings_.node_names) {
    Node node;
    try {
      node.driver = provider.driver_for_node(name);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("kubelet: the runtime cannot run node ") + name + ": " +
                                  e.what());
    }
    // A simulated runtime's pods have no namespace to attach.
    if (network && !node.driver->simulated()) {
      try {
        node.network = network->driver_for_node(name);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("kubelet: the network plugin cannot serve node ") + name +
                                    ": " + e.what());
      }
    }
    node.client = ctx.client(node_user(name));
    nodes_.emplace(name, std::move(node));
  }
  set_up_server(ctx);
  // One writer for every kubelet's events: the first node's identity writes them, each
  // event naming its own node as its source host.
  controller::RecorderSettings recorder;
  recorder.source = {"kubelet", settings_.node_names.front()};
  events_ = std::make_unique<controller::EventRecorder>(nodes_.begin()->second.client, recorder, log_);
  log_->info("kubelet: {} node(s) ({}{}), pods on the runtime {}", settings_.node_names.size(),
             settings_.node_names.front(), settings_.node_names.size() > 1 ? ", ..." : "",
             nodes_.begin()->second.driver->version().runtime_name);
}

void KubeletPlugin::set_up_server(InitContext& ctx) {
  std::optional<pki::CertificateAuthority> ca;
  try {
    ca = pki::CertificateAuthority::load(ctx.data_dir() / "pki");
  } catch (const std::exception& e) {
    // An agent without the cluster CA's key gets its certificate another way (a later
    // bootstrap); until then it serves nothing rather than something unverifiable.
    log_->warn(
        "kubelet: no HTTPS server, so no logs, exec, attach or port-forward through the API server: {}",
        e.what());
    settings_.port = 0;
    return;
  }
  std::vector<std::string> dns{"localhost"};
  // A simulated cluster shares one server; its certificate names the first nodes only,
  // as the API server reaches every one of them by the shared address.
  for (size_t i = 0; i < settings_.node_names.size() && i < 16; ++i) dns.push_back(settings_.node_names[i]);
  std::vector<std::string> ips{settings_.node_ip};
  if (settings_.server_address != settings_.node_ip && settings_.server_address != "0.0.0.0" &&
      settings_.server_address != "::")
    ips.push_back(settings_.server_address);
  if (settings_.node_ip != "127.0.0.1") ips.push_back("127.0.0.1");
  const pki::KeyAndCertificate leaf = ca->issue_server(
      {"system:node:" + settings_.node_names.front(), {"system:nodes"}}, dns, ips, pki::kLeafValidity);
  std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers;
  for (const auto& [name, node] : nodes_) drivers.emplace(name, node.driver);
  streams_ = std::make_unique<PodStreams>(ctx.auth(), std::move(drivers));
  std::map<std::string, std::shared_ptr<KubeletMetrics>> metrics;
  for (const auto& [name, node] : nodes_) metrics.emplace(name, metrics_for(name));
  streams_->set_metrics(std::move(metrics));
  server_ = std::make_unique<KubeletServer>(
      KubeletServerOptions{settings_.server_address, settings_.port, leaf.certificate_pem, leaf.key_pem,
                           ca->certificate_pem()},
      *streams_, log_);
  settings_.port = server_->listen();
  log_->info("kubelet: serving logs, exec, attach and port-forward on https://{}:{}",
             settings_.server_address, settings_.port);
}

std::shared_ptr<KubeletMetrics> KubeletPlugin::metrics_for(const std::string& node) {
  auto& metrics = metrics_[node];
  if (!metrics) metrics = std::make_shared<KubeletMetrics>();
  return metrics;
}

void KubeletPlugin::start() {
  pods_ = informers_->informer(machinery::kPods);
  services_ = informers_->informer(machinery::kServices);
  if (streams_) streams_->set_pods(pods_);
  if (server_) server_->start();
  controller::LoopSettings loop;
  loop.name = "kubelet";
  loop.workers = settings_.workers;
  loop.limits.qps = 1e6;  // the queue's bucket only paces retries; pod syncs are not rate-limited
  loop.limits.burst = 1000000;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      loop, [this](const std::string& key) { return reconcile(key); }, log_);
  prober_ = std::make_unique<Prober>(
      settings_.probe_threads, [this](const std::string& key) { enqueue_key(key); },
      [this](const ProbeRequest& probe, const std::string& message) { unhealthy(probe, message); });
  for (const auto& [name, node] : nodes_) {
    NodeAgentDeps deps{name,
                       &settings_,
                       &machine_,
                       logs_root_,
                       node.driver,
                       node.network,
                       node.client,
                       pods_,
                       services_,
                       &dns_,
                       events_.get(),
                       prober_.get(),
                       log_,
                       [this, name](const PodKey& pod) { enqueue(name, pod); },
                       volumes_root_,
                       name == settings_.node_names.front() ? settings_.static_pod_path : "",
                       name == settings_.node_names.front() ? settings_.static_pod_url : "",
                       metrics_for(name),
                       streams_
                           ? std::function<stats::Summary()>([this, name] { return streams_->usage(name); })
                           : std::function<stats::Summary()>()};
    agents_.emplace(name, std::make_unique<NodeAgent>(std::move(deps)));
  }
  for (auto& [name, agent] : agents_) agent->start();
  loop_->start();
  handlers_ = pods_->add_handlers({[this](const ObjectPtr& pod) { on_pod(pod); },
                                   [this](const ObjectPtr& before, const ObjectPtr& after) {
                                     if (node_of(before).empty() || worth_a_sync(*before, *after))
                                       on_pod(after);
                                   },
                                   [this](const ObjectPtr& pod) { on_pod(pod); }});
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  heartbeat_ = std::thread([this] { heartbeats(); });
}

void KubeletPlugin::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  if (server_) server_->stop();
  handlers_.reset();
  for (auto& [name, agent] : agents_) agent->stop();
  if (loop_) loop_->stop();  // no sync runs past here, so none uses the prober
  prober_.reset();           // its threads may still wake the stopped loop, harmlessly
  loop_.reset();
  agents_.clear();
}

void KubeletPlugin::on_pod(const ObjectPtr& pod) {
  const std::string node = node_of(pod);
  if (!node.empty() && agents_.count(node)) enqueue(node, object_key(*pod));
}

void KubeletPlugin::enqueue(const std::string& node, const PodKey& pod) {
  enqueue_key(node + "/" + pod);
}

void KubeletPlugin::enqueue_key(const std::string& key) {
  if (loop_) loop_->add(key);
}

void KubeletPlugin::unhealthy(const ProbeRequest& probe, const std::string& message) {
  const auto first = probe.pod.find('/');
  const auto second = probe.pod.find('/', first + 1);
  controller::ObjectReference ref;
  ref.kind = "Pod";
  ref.api_version = "v1";
  ref.ns = probe.pod.substr(first + 1, second - first - 1);
  ref.name = probe.pod.substr(second + 1);
  if (ObjectPtr pod = pods_ ? pods_->get(ref.ns + "/" + ref.name) : nullptr)
    ref.uid = machinery::uid_of(*pod);
  ref.field_path = "spec.containers{" + probe.container + "}";
  events_->event({"kubelet", probe.pod.substr(0, first)}, ref, "Warning", "Unhealthy", message);
}

controller::Result KubeletPlugin::reconcile(const std::string& key) {
  const auto slash = key.find('/');
  auto agent = agents_.find(key.substr(0, slash));
  if (agent == agents_.end()) return controller::Result::done();
  return agent->second->sync(key.substr(slash + 1));
}

void KubeletPlugin::heartbeats() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    for (auto& [name, agent] : agents_) agent->tick(now);
    lock.lock();
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
  }
}

}  // namespace ukube::kubelet
