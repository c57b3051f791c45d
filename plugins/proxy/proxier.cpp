#include "proxier.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include <algorithm>

#include "service_ports.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::proxy {
namespace json = boost::json;
using machinery::string_at;

namespace {

constexpr const char* kByService = "kubernetes.io/service-name";  // namespace/name of a slice's Service
constexpr std::chrono::seconds kRetryAfterFailure{1};

size_t rule_count(const ServiceRules& rules) {
  size_t n = 0;
  for (const auto& [name, text] : rules.chains)
    n += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  return n;
}

size_t element_count(const ServiceRules& rules) {
  size_t n = 0;
  for (const auto& [container, items] : rules.elements) n += items.size();
  return n;
}

std::string service_of_slice(const json::object& slice) {
  const std::string name = string_at(slice, {"metadata", "labels", machinery::kServiceNameLabel});
  return name.empty() ? "" : machinery::namespace_of(slice) + "/" + name;
}

}  // namespace

Proxier::Proxier(ProxySettings settings, std::shared_ptr<Informer> services, std::shared_ptr<Informer> slices,
                 NftApply apply, std::shared_ptr<Client> status_client, std::shared_ptr<spdlog::logger> log,
                 ConntrackDelete delete_flows)
    : settings_(std::move(settings)),
      services_(std::move(services)),
      slices_(std::move(slices)),
      apply_(std::move(apply)),
      delete_flows_(std::move(delete_flows)),
      status_client_(std::move(status_client)),
      log_(std::move(log)) {}

Proxier::~Proxier() {
  stop();
}

void Proxier::start() {
  slice_index_ = slices_->add_indexer(kByService, [](const json::object& slice) {
    std::string key = service_of_slice(slice);
    return key.empty() ? std::vector<std::string>{} : std::vector<std::string>{key};
  });
  auto on_service = [this](const ObjectPtr& s) { changed(object_key(*s)); };
  service_handlers_ = services_->add_handlers(
      {on_service, [on_service](const ObjectPtr&, const ObjectPtr& s) { on_service(s); }, on_service});
  auto on_slice = [this](const ObjectPtr& s) {
    if (auto key = service_of_slice(*s); !key.empty()) changed(key);
  };
  slice_handlers_ = slices_->add_handlers({on_slice,
                                           [on_slice](const ObjectPtr& before, const ObjectPtr& after) {
                                             on_slice(before);
                                             on_slice(after);
                                           },
                                           on_slice});
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void Proxier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  service_handlers_.reset();
  slice_handlers_.reset();
  slice_index_.reset();
}

std::string Proxier::metrics_text() const {
  std::lock_guard lock(mutex_);
  auto histogram = [](const std::string& name, const std::string& help, const net::Histogram& h) {
    return net::metric_header(name, help, "histogram") + h.samples(name);
  };
  auto single = [](const std::string& name, const std::string& help, const char* type, double value) {
    return net::metric_header(name, help, type) + net::metric_sample(name, "", value);
  };
  std::string out;
  out += histogram("kubeproxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds",
                   sync_seconds_);
  out += histogram("kubeproxy_sync_full_proxy_rules_duration_seconds",
                   "SyncProxyRules latency in seconds for full resyncs", full_sync_seconds_);
  out += histogram("kubeproxy_sync_partial_proxy_rules_duration_seconds",
                   "SyncProxyRules latency in seconds for partial resyncs", partial_sync_seconds_);
  const auto last = std::chrono::duration<double>(stats_.last_success.time_since_epoch()).count();
  out += single("kubeproxy_sync_proxy_rules_last_timestamp_seconds",
                "The last time proxy rules were successfully synced", "gauge", last);
  out += single("kubeproxy_sync_proxy_rules_nftables_sync_failures_total",
                "Cumulative proxy nftables sync failures", "counter", static_cast<double>(stats_.failures));
  out += single("kubeproxy_sync_proxy_rules_service_changes_total", "Cumulative proxy rules Service changes",
                "counter", static_cast<double>(stats_.service_changes));
  out += single("ukube_proxy_nftables_rules", "Rules in the chains of the Services in the proxy's table",
                "gauge", static_cast<double>(stats_.rules));
  out += single(
      "ukube_proxy_nftables_elements",
      "Elements the Services put in the table's shared maps and sets (one two Services share counts twice)",
      "gauge", static_cast<double>(stats_.elements));
  out += single("ukube_proxy_services", "Services with rules in the proxy's table", "gauge",
                static_cast<double>(stats_.services));
  return out;
}

SyncStats Proxier::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Proxier::changed(const std::string& service_key) {
  {
    std::lock_guard lock(mutex_);
    dirty_.insert(service_key);
  }
  wake_.notify_all();
}

void Proxier::run() {
  try {
    apply_(base_table(settings_.ruleset));
  } catch (const std::exception& e) {
    if (log_) log_->error("proxy: cannot set up table ip {}: {}", settings_.ruleset.table, e.what());
  }
  // The first sync waits for complete caches: a table built from half a list would drop
  // the traffic of the Services not listed yet.
  while (!services_->wait_for_sync(std::chrono::milliseconds(200)) ||
         !slices_->wait_for_sync(std::chrono::milliseconds(200))) {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait(lock, [this] { return stopping_ || needs_full_ || !dirty_.empty(); });
    if (stopping_) break;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    try {
      sync();
    } catch (const std::exception& e) {
      if (log_)
        log_->error("proxy: sync failed: {}; the whole table is rewritten in {}s", e.what(),
                    kRetryAfterFailure.count());
      lock.lock();
      needs_full_ = true;
      ++stats_.failures;
      stats_.last_failed = true;
      wake_.wait_for(lock, kRetryAfterFailure, [this] { return stopping_; });
      continue;
    }
    lock.lock();
    // Changes that arrive meanwhile wait for the period's end and go together.
    wake_.wait_until(lock, started + settings_.min_sync_period, [this] { return stopping_; });
  }
}

void Proxier::sync() {
  std::set<std::string> dirty;
  bool full;
  {
    std::lock_guard lock(mutex_);
    dirty.swap(dirty_);
    full = needs_full_;
  }
  const auto started = std::chrono::steady_clock::now();
  std::string script;
  if (full) {
    for (const auto& [key, rules] : applied_) dirty.insert(key);
    for (const auto& service : services_->list()) dirty.insert(object_key(*service));
    applied_.clear();
    counts_.clear();
    keys_.clear();
    script = fresh_table(settings_.ruleset);
  }
  Transaction tx(settings_.ruleset.table);
  tx.use_counts(&counts_);
  std::map<std::string, ServiceRules> staged;
  std::map<std::string, std::vector<ServicePort>> staged_ports;
  static const ServiceRules kNone;
  for (const auto& key : dirty) {
    ObjectPtr service = services_->get(key);
    std::vector<ObjectPtr> owned = slices_->by_index(kByService, key);
    std::vector<const json::object*> slices;
    for (const auto& slice : owned) slices.push_back(slice.get());
    std::vector<ServicePort> ports;
    if (service) ports = service_ports(*service, slices, settings_.node_name);
    ServiceRules rules = rules_for(ports, settings_.ruleset, keys_);
    auto before = applied_.find(key);
    const ServiceRules& old = before == applied_.end() ? kNone : before->second;
    if (rules == old) continue;
    tx.change(old, rules);
    staged[key] = std::move(rules);
    staged_ports[key] = std::move(ports);
    if (service) publish_load_balancer_ingress(*service);
  }
  script += tx.text();
  if (!script.empty()) apply_(script);
  std::vector<ConntrackFilter> stale;
  for (auto& [key, ports] : staged_ports) {
    auto before = applied_ports_.find(key);
    for (auto& filter :
         stale_udp_flows(before == applied_ports_.end() ? std::vector<ServicePort>{} : before->second, ports))
      stale.push_back(std::move(filter));
    if (ports.empty())
      applied_ports_.erase(key);
    else
      applied_ports_[key] = std::move(ports);
  }
  // After the rules: a deleted entry's next datagram must meet the new ones.
  if (delete_flows_)
    for (const auto& filter : stale) {
      try {
        delete_flows_(filter);
      } catch (const std::exception& e) {
        if (log_) log_->warn("proxy: stale UDP flows to {} not cleared: {}", filter.orig_dst, e.what());
      }
    }
  size_t rules_added = 0, rules_removed = 0, elements_added = 0, elements_removed = 0;
  for (auto& [key, rules] : staged) {
    if (auto before = applied_.find(key); before != applied_.end()) {
      rules_removed += rule_count(before->second);
      elements_removed += element_count(before->second);
    }
    rules_added += rule_count(rules);
    elements_added += element_count(rules);
    if (rules.chains.empty() && rules.elements.empty()) {
      applied_.erase(key);
      keys_.forget(key + "/");
    } else
      applied_[key] = std::move(rules);
  }
  std::lock_guard lock(mutex_);
  needs_full_ = false;
  ++stats_.syncs;
  if (full) {
    ++stats_.full_syncs;
    stats_.rules = stats_.elements = 0;
  }
  stats_.rules = stats_.rules + rules_added - rules_removed;
  stats_.elements = stats_.elements + elements_added - elements_removed;
  stats_.service_changes += dirty.size();
  stats_.last_failed = false;
  stats_.last_success = std::chrono::system_clock::now();
  stats_.last_duration =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  const double seconds = std::chrono::duration<double>(stats_.last_duration).count();
  sync_seconds_.observe(seconds);
  (full ? full_sync_seconds_ : partial_sync_seconds_).observe(seconds);
  stats_.last_rules = tx.rule_count();
  stats_.services = applied_.size();
}

// As k3s' servicelb: a LoadBalancer Service is reachable on the node's address, which
// becomes its ingress, so `kubectl get svc` shows an EXTERNAL-IP.
void Proxier::publish_load_balancer_ingress(const json::object& service) {
  if (!status_client_ || string_at(service, {"spec", "type"}) != "LoadBalancer") return;
  bool present = false;
  machinery::for_each_object(machinery::array_at(service, {"status", "loadBalancer", "ingress"}),
                             [&](const json::object& ingress, size_t) {
                               present = present || string_at(ingress, {"ip"}) == settings_.node_ip;
                             });
  if (present) return;
  json::object patch{
      {"status",
       {{"loadBalancer",
         {{"ingress", json::array{json::object{{"ip", settings_.node_ip}, {"ipMode", "VIP"}}}}}}}}};
  try {
    WriteOptions options;
    options.return_object = false;
    status_client_->patch(machinery::kServices, machinery::namespace_of(service), machinery::name_of(service),
                          PatchType::JsonMerge, json::serialize(patch), options, "status");
  } catch (const std::exception& e) {
    if (log_)
      log_->warn("proxy: cannot set the ingress of LoadBalancer Service {}/{}: {}",
                 machinery::namespace_of(service), machinery::name_of(service), e.what());
  }
}

}  // namespace ukube::proxy
