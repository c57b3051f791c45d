#include "reconciler.h"

#include <algorithm>
#include <set>

#include <boost/json/value.hpp>

#include "slice_format.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/trigger_time_tracker.h"

namespace ukube::controllers::endpointslice {
namespace json = boost::json;
using machinery::IPFamily;

namespace {

std::optional<IPFamily> family_named(std::string_view address_type) {
  if (address_type == "IPv4") return IPFamily::IPv4;
  if (address_type == "IPv6") return IPFamily::IPv6;
  return std::nullopt;
}

bool empty_list(const json::object& slice, const char* list) {
  const auto* items = machinery::array_at(slice, {list});
  return !items || items->empty();
}

// An existing slice is as good as the placeholder the Service needs (upstream compares
// namespace, labels, address type, endpoints and ports only).
bool same_as_placeholder(const json::object& slice, const json::object& placeholder) {
  return machinery::namespace_of(slice) == machinery::namespace_of(placeholder) &&
         machinery::object_or_empty(machinery::object_at(slice, {"metadata", "labels"})) ==
             machinery::object_or_empty(machinery::object_at(placeholder, {"metadata", "labels"})) &&
         machinery::string_at(slice, {"addressType"}) == machinery::string_at(placeholder, {"addressType"}) &&
         empty_list(slice, "endpoints") && empty_list(slice, "ports");
}

void set_trigger_time(json::object& slice, std::optional<machinery::Clock::time_point> trigger_time) {
  json::object& meta = machinery::child(slice, "metadata");
  json::object& annotations = machinery::child(meta, "annotations");
  if (trigger_time)
    annotations[machinery::kLastChangeTriggerTimeAnnotation] = machinery::format_rfc3339_nano(*trigger_time);
  else
    annotations.erase(machinery::kLastChangeTriggerTimeAnnotation);
  if (annotations.empty()) meta.erase("annotations");
}

json::array& endpoints_of(json::object& slice) {
  return machinery::child_array(slice, "endpoints");
}

// The next desired endpoint, taken out of the set.
json::object take_one(std::map<std::string, json::object>& desired) {
  auto it = desired.begin();
  json::object endpoint = std::move(it->second);
  desired.erase(it);
  return endpoint;
}

}  // namespace

Reconciler::Reconciler(ReconcilerOptions options) : options_(std::move(options)) {
  if (options_.max_endpoints_per_slice == 0) options_.max_endpoints_per_slice = 1;
}

ReconcileResult Reconciler::reconcile(const json::object& service, const std::vector<ObjectPtr>& pods,
                                      const std::vector<ObjectPtr>& existing,
                                      std::optional<machinery::Clock::time_point> trigger_time) {
  ReconcileResult result;
  const std::vector<IPFamily> families = machinery::service_ip_families(service);
  std::map<IPFamily, std::vector<ObjectPtr>> by_family;
  std::vector<ObjectPtr> unsupported;
  for (const auto& slice : existing) {
    auto family = family_named(machinery::string_at(*slice, {"addressType"}));
    if (family && std::find(families.begin(), families.end(), *family) != families.end())
      by_family[*family].push_back(slice);
    else
      unsupported.push_back(slice);
  }
  for (IPFamily family : families) {
    Plan plan;
    reconcile_family(service, pods, by_family[family], family, plan, result);
    finalize(service, plan, trigger_time, result);
  }
  // Slices of an address type the Service no longer has.
  for (const auto& slice : unsupported) {
    remove(*slice);
    ++result.deleted;
  }
  return result;
}

void Reconciler::reconcile_family(const json::object& service, const std::vector<ObjectPtr>& pods,
                                  const std::vector<ObjectPtr>& existing, IPFamily family, Plan& plan,
                                  ReconcileResult& result) {
  // The slices there are, by port set; slices of another Service of this name go.
  std::map<std::string, std::vector<ObjectPtr>> existing_by_ports;
  for (const auto& slice : existing) {
    if (owned_by(*slice, service))
      existing_by_ports[port_set_key(slice_ports(*slice))].push_back(slice);
    else
      plan.remove.push_back(*slice);
  }

  // The endpoints there should be, by port set and identity.
  const bool publish_not_ready = machinery::publishes_not_ready_addresses(service);
  std::map<std::string, std::map<std::string, json::object>> desired;
  std::map<std::string, json::array> desired_ports;
  for (const auto& pod : pods) {
    auto endpoint = machinery::pod_endpoint(service, *pod, family, true);
    if (!endpoint) continue;
    auto ports = sorted_ports(endpoint->ports);
    const std::string key = port_set_key(ports);
    auto& set = desired[key];
    desired_ports.try_emplace(key, ports_json(ports));
    ObjectPtr node = endpoint->node_name.empty() ? nullptr : options_.node(endpoint->node_name);
    if (!node && !publish_not_ready) {
      // Published once its node is known (the pod garbage collector removes pods of nodes
      // that never come); a Service publishing not-ready addresses takes it as it is.
      result.skipped_pods.push_back(endpoint->pod_namespace + "/" + endpoint->pod_name);
      continue;
    }
    std::string zone =
        node ? machinery::string_at(*node, {"metadata", "labels", machinery::kTopologyZoneLabel})
             : std::string();
    if (endpoint->addresses.empty()) continue;
    json::object ep = endpoint_json(*endpoint, zone);
    set[endpoint_identity(ep)] = std::move(ep);
  }

  for (auto& [key, endpoints] : desired)
    reconcile_port_set(service, existing_by_ports[key], endpoints, desired_ports[key], family, plan);
  // Port sets no pod has any more.
  for (const auto& [key, slices] : existing_by_ports)
    if (!desired.count(key))
      for (const auto& slice : slices) plan.remove.push_back(*slice);

  // A Service whose pods give no endpoints keeps one empty slice.
  if (existing.size() == plan.remove.size() && plan.create.empty()) {
    json::object placeholder = new_slice(service, json::array{}, family);
    if (plan.remove.size() == 1 && same_as_placeholder(plan.remove.front(), placeholder))
      plan.remove.clear();
    else
      plan.create.push_back(std::move(placeholder));
  }
}

void Reconciler::reconcile_port_set(const json::object& service, const std::vector<ObjectPtr>& existing,
                                    std::map<std::string, json::object>& desired, const json::array& ports,
                                    IPFamily family, Plan& plan) {
  const size_t max = options_.max_endpoints_per_slice;
  std::map<std::string, json::object> by_name;  // the slices as they will be written
  std::set<std::string> unchanged, to_update, to_remove;

  // 1. Keep the endpoints still wanted where they are, take out the others, and note
  //    endpoints and labels that changed.
  for (const auto& slice : existing) {
    const std::string name = machinery::name_of(*slice);
    json::array kept;
    bool endpoint_changed = false;
    size_t had = 0;
    machinery::for_each_object(machinery::array_at(*slice, {"endpoints"}),
                               [&](const json::object& ep, size_t) {
                                 ++had;
                                 auto wanted = desired.find(endpoint_identity(ep));
                                 if (wanted == desired.end()) return;
                                 if (!endpoints_equal_beyond_identity(wanted->second, ep))
                                   endpoint_changed = true;
                                 kept.push_back(std::move(wanted->second));
                                 desired.erase(wanted);
                               });
    auto [labels, labels_changed] = slice_labels(*slice, service);
    if (endpoint_changed || kept.size() != had) {
      if (kept.empty()) {
        by_name[name] = *slice;
        to_remove.insert(name);
      } else {
        json::object copy = *slice;
        copy["endpoints"] = std::move(kept);
        machinery::child(copy, "metadata")["labels"] = std::move(labels);
        by_name[name] = std::move(copy);
        to_update.insert(name);
      }
    } else if (labels_changed) {
      json::object copy = *slice;
      machinery::child(copy, "metadata")["labels"] = std::move(labels);
      by_name[name] = std::move(copy);
      to_update.insert(name);
    } else {
      by_name[name] = *slice;
      unchanged.insert(name);
    }
  }

  // 2. Endpoints still to place go into the slices being written anyway, fullest first.
  if (!desired.empty() && !to_update.empty()) {
    std::vector<std::string> names(to_update.begin(), to_update.end());
    std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
      return endpoint_count(by_name[a]) > endpoint_count(by_name[b]);
    });
    for (const auto& name : names) {
      json::array& endpoints = endpoints_of(by_name[name]);
      while (!desired.empty() && endpoints.size() < max) endpoints.push_back(take_one(desired));
    }
  }

  // 3. The rest goes into the unchanged slice that it fills best, if it fits in one, else
  //    into new slices.
  while (!desired.empty()) {
    json::object* fill = nullptr;
    std::string fill_name;
    if (desired.size() < max && !unchanged.empty()) {
      size_t closest = max;
      for (const auto& name : unchanged) {
        const size_t after = desired.size() + endpoint_count(by_name[name]);
        if (after > max) continue;
        const size_t room = max - after;
        if (room < closest) {
          closest = room;
          fill_name = name;
          if (room == 0) break;
        }
      }
    }
    json::object fresh;
    if (fill_name.empty()) {
      fresh = new_slice(service, ports, family);
      fill = &fresh;
    } else {
      fill = &by_name[fill_name];
    }
    json::array& endpoints = endpoints_of(*fill);
    while (!desired.empty() && endpoints.size() < max) endpoints.push_back(take_one(desired));
    if (fill_name.empty()) {
      plan.create.push_back(std::move(fresh));
    } else {
      to_update.insert(fill_name);
      unchanged.erase(fill_name);
    }
  }

  for (const auto& name : to_update) plan.update.push_back(std::move(by_name[name]));
  for (const auto& name : to_remove) plan.remove.push_back(std::move(by_name[name]));
}

void Reconciler::finalize(const json::object& service, Plan& plan,
                          std::optional<machinery::Clock::time_point> trigger_time, ReconcileResult& result) {
  // A slice about to be deleted is rewritten as one about to be created instead, when it
  // is this Service's and of the same address type.
  for (size_t i = 0; i < plan.remove.size() && !plan.create.empty();) {
    const json::object& doomed = plan.remove[i];
    json::object& slice = plan.create.back();
    if (machinery::string_at(doomed, {"addressType"}) == machinery::string_at(slice, {"addressType"}) &&
        owned_by(doomed, service)) {
      json::object& meta = machinery::child(slice, "metadata");
      meta["name"] = machinery::name_of(doomed);
      meta["resourceVersion"] = machinery::meta_string(doomed, "resourceVersion");
      meta["uid"] = machinery::uid_of(doomed);
      plan.update.push_back(std::move(slice));
      plan.create.pop_back();
      plan.remove.erase(plan.remove.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }

  const std::string ns = machinery::namespace_of(service);
  // No new slices for a Service on its way out: the garbage collector is removing them.
  if (!machinery::has_deletion_timestamp(service)) {
    for (auto& slice : plan.create) {
      set_trigger_time(slice, trigger_time);
      ObjectPtr created;
      try {
        created = options_.client->create(machinery::kEndpointSlices, ns, slice);
      } catch (const ApiError& e) {
        if (is_namespace_terminating(e)) return;
        throw;
      }
      if (created && options_.tracker) options_.tracker->update(*created);
      ++result.created;
    }
  }
  for (auto& slice : plan.update) {
    set_trigger_time(slice, trigger_time);
    ObjectPtr updated = options_.client->update(machinery::kEndpointSlices, ns, slice);
    if (updated && options_.tracker) options_.tracker->update(*updated);
    ++result.updated;
  }
  for (const auto& slice : plan.remove) {
    remove(slice);
    ++result.deleted;
  }
}

void Reconciler::remove(const json::object& slice) {
  try {
    options_.client->remove(machinery::kEndpointSlices, machinery::namespace_of(slice),
                            machinery::name_of(slice));
  } catch (const ApiError& e) {
    if (is_not_found(e)) return;
    throw;
  }
  if (options_.tracker) options_.tracker->expect_deletion(slice);
}

}  // namespace ukube::controllers::endpointslice
