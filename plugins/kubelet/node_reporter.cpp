#include "node_reporter.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "node_object.h"
#include "pod_network.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"

namespace ukube::kubelet {
namespace json = boost::json;

NodeReporter::NodeReporter(std::string node_name, const KubeletSettings& settings, const MachineInfo& machine,
                           std::shared_ptr<runtime::RuntimeDriver> driver,
                           std::shared_ptr<network::NetworkDriver> network, std::shared_ptr<Client> client,
                           std::shared_ptr<spdlog::logger> log)
    : node_name_(std::move(node_name)),
      settings_(settings),
      machine_(machine),
      driver_(std::move(driver)),
      network_(std::move(network)),
      client_(std::move(client)),
      log_(std::move(log)) {}

NodeFacts NodeReporter::facts_now(bool with_images) {
  NodeFacts facts;
  facts.settings = &settings_;
  facts.machine = &machine_;
  facts.node_name = node_name_;
  facts.memory_pressure = memory_pressure_;
  facts.disk_pressure = disk_pressure_;
  try {
    facts.runtime_version = driver_->version();
    for (const auto& c : driver_->status().conditions)
      if (!c.status) {
        facts.runtime_ready = false;
        facts.runtime_problem += (facts.runtime_problem.empty() ? "" : "; ") + c.type +
                                 "=false reason:" + c.reason + " message:" + c.message;
      }
    if (with_images) facts.images = driver_->list_images();
  } catch (const std::exception& e) {
    facts.runtime_ready = false;
    facts.runtime_problem = e.what();
  }
  if (auto problem = network_problem(network_.get())) facts.network_problem = *problem;
  return facts;
}

void NodeReporter::register_node() {
  json::object node = node_registration(facts_now(false), machinery::now_rfc3339());
  ObjectPtr written;
  try {
    written = client_->create(machinery::kNodes, "", node);
    log_->info("node {}: registered", node_name_);
  } catch (const ApiError& e) {
    if (!is_already_exists(e)) throw;
    // Registered before (a restart): keep the Node, refresh what this kubelet owns.
    written = client_->get(machinery::kNodes, "", node_name_);
    log_->info("node {}: already registered; taking it over", node_name_);
  }
  node_uid_ = machinery::uid_of(*written);
  registered_ = true;
  if (const auto* status = machinery::object_at(*written, {"status"})) reported_ = *status;
  report_status(true);
}

void NodeReporter::report_status(bool force) {
  json::object status = node_status(facts_now(true), &reported_, machinery::now_rfc3339());
  const bool changed = without_heartbeats(status) != without_heartbeats(reported_);
  const bool due = Clock::now() - last_report_ >= settings_.status_report;
  if (!force && !changed && !due) return;
  json::object patch{{"status", status}};
  WriteOptions options;
  options.return_object = false;
  client_->patch(machinery::kNodes, "", node_name_, PatchType::JsonMerge, json::serialize(patch), options,
                 "status");
  reported_ = std::move(status);
  last_report_ = Clock::now();
}

void NodeReporter::renew_lease() {
  const std::string now = machinery::format_micro_time(machinery::Clock::now());
  if (lease_) {
    json::object lease = *lease_;
    machinery::child(lease, "spec")["renewTime"] = now;
    try {
      lease_ = client_->update(machinery::kLeases, "kube-node-lease", lease);
      return;
    } catch (const ApiError& e) {
      if (!is_conflict(e) && !is_not_found(e)) throw;
      lease_.reset();  // changed or removed by someone else: start over from the API
    }
  }
  try {
    auto current = client_->get(machinery::kLeases, "kube-node-lease", node_name_);
    json::object lease = *current;
    auto& spec = machinery::child(lease, "spec");
    spec["holderIdentity"] = node_name_;
    spec["leaseDurationSeconds"] = settings_.lease_duration_seconds;
    spec["renewTime"] = now;
    lease_ = client_->update(machinery::kLeases, "kube-node-lease", lease);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
    json::object lease{
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata",
         {{"name", node_name_},
          {"namespace", "kube-node-lease"},
          {"ownerReferences",
           json::array{json::object{
               {"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_name_}, {"uid", node_uid_}}}}}},
        {"spec",
         {{"holderIdentity", node_name_},
          {"leaseDurationSeconds", settings_.lease_duration_seconds},
          {"renewTime", now}}}};
    lease_ = client_->create(machinery::kLeases, "kube-node-lease", lease);
  }
}

void NodeReporter::configure_network() {
  auto node = client_->get(machinery::kNodes, "", node_name_);
  network::NodeNetwork config;
  if (const auto* cidrs = machinery::array_at(*node, {"spec", "podCIDRs"}))
    for (const auto& cidr : *cidrs)
      if (cidr.is_string()) config.pod_cidrs.emplace_back(cidr.get_string());
  if (config.pod_cidrs.empty()) return;  // not assigned yet: asked again at the next tick
  network_->configure(config);
  network_configured_ = true;
  log_->info("node {}: pod network {}", node_name_, config.pod_cidrs.front());
  report_status(true);
}

void NodeReporter::tick(Clock::time_point now) {
  try {
    if (!registered_) register_node();
    if (network_ && !network_configured_) configure_network();
    if (now >= next_lease_) {
      renew_lease();
      next_lease_ = now + settings_.lease_renew;
    }
    if (now >= next_status_) {
      report_status(false);
      next_status_ = now + settings_.status_update;
    }
  } catch (const std::exception& e) {
    log_->warn("node {}: {}; retrying", node_name_, e.what());
  }
}

}  // namespace ukube::kubelet
