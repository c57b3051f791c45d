#include "ip_repair.h"

#include <spdlog/logger.h>

#include <algorithm>

#include <boost/json.hpp>

#include "service_spec.h"
#include "ukube/admission/plugin_support.h"

namespace ukube::admission::service_allocator {

using controller::Result;
using machinery::kIPAddresses;

namespace {

constexpr auto kUnsyncedRetry = std::chrono::seconds(1);

std::string family_tag(const IPAddress& ip) {
  return "[" + std::string(to_string(ip.family())) + "]";
}

}  // namespace

IPRepair::IPRepair(RepairDeps deps)
    : deps_(std::move(deps)),
      loop_(
          {"ipallocator repair", 1, kAdmissionLoopLimits},
          [this](const std::string& key) { return sync(key); }, deps_.log) {}

InformerHandlers IPRepair::service_handlers() {
  return {[this](const ObjectPtr& service) { loop_.add("svc:" + service_key(*service)); },
          [this](const ObjectPtr& old, const ObjectPtr& service) {
            loop_.add("svc:" + service_key(*service));
            // The addresses it gave up (a type change to ExternalName, single-stack again).
            for (const auto& ip : cluster_ip_index(*old))
              if (!holds(*service, ip)) given_up(ip, *service);
          },
          [this](const ObjectPtr& service) {
            for (const auto& ip : cluster_ip_index(*service)) given_up(ip, *service);
          }};
}

InformerHandlers IPRepair::ip_address_handlers() {
  return {[this](const ObjectPtr& ip) { loop_.add("ip:" + name_of(*ip)); },
          [this](const ObjectPtr&, const ObjectPtr& ip) { loop_.add("ip:" + name_of(*ip)); },
          [this](const ObjectPtr& ip) {
            // A Service may still hold the address.
            const auto& ref = machinery::object_or_empty(machinery::object_at(*ip, {"spec", "parentRef"}));
            loop_.add("svc:" + string_at(ref, {"namespace"}) + "/" + string_at(ref, {"name"}));
          }};
}

void IPRepair::given_up(const std::string& ip, const json::object& service) {
  {
    std::lock_guard lock(given_up_mutex_);
    int64_t& revision = given_up_[ip];
    revision = std::max(revision, revision_of(service));
  }
  loop_.add("ip:" + ip);
}

int64_t IPRepair::take_given_up(const std::string& ip) {
  std::lock_guard lock(given_up_mutex_);
  auto found = given_up_.find(ip);
  if (found == given_up_.end()) return 0;
  const int64_t revision = found->second;
  given_up_.erase(found);
  return revision;
}

void IPRepair::start() {
  loop_.start();
  loop_.add("all");
}

void IPRepair::stop() {
  loop_.stop();
}

Result IPRepair::sync(const std::string& key) {
  if (!deps_.services->has_synced() || !deps_.ip_addresses->has_synced())
    return Result::requeue_after(kUnsyncedRetry);
  if (key == "all") return sync_all();
  if (key.rfind("ip:", 0) == 0) return sync_ip_address(key.substr(3));
  if (key.rfind("svc:", 0) == 0) return sync_service(key.substr(4));
  return Result::done();
}

Result IPRepair::sync_all() {
  for (const auto& service : deps_.services->list())
    if (service) loop_.add("svc:" + service_key(*service));
  for (const auto& ip : deps_.ip_addresses->list())
    if (ip) loop_.add("ip:" + name_of(*ip));
  return Result::requeue_after(std::chrono::duration_cast<std::chrono::milliseconds>(deps_.interval));
}

ObjectPtr IPRepair::live_service(const std::string& ns, const std::string& name) {
  try {
    return deps_.client->get(kServices, ns, name);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  return nullptr;
}

ObjectPtr IPRepair::live_ip_address(const std::string& name) {
  try {
    return deps_.client->get(kIPAddresses, "", name);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  return nullptr;
}

bool IPRepair::in_range(const IPAddress& ip) const {
  for (const auto& range : deps_.ranges->ranges(ip.family()))
    if (range.prefix().contains(ip)) return true;
  return false;
}

void IPRepair::remove(const json::object& ip_address, const std::string& why) {
  DeleteOptions options;
  options.precondition_uid = uid_of(ip_address);
  try {
    deps_.client->remove(kIPAddresses, "", name_of(ip_address), options);
  } catch (const ApiError& e) {
    // Gone, or allocated again meanwhile: either way not ours to delete any more.
    if (is_not_found(e) || is_conflict(e)) return;
    throw;
  }
  if (deps_.log) deps_.log->info("released IPAddress {}: {}", name_of(ip_address), why);
}

void IPRepair::create_for(const json::object& service, const IPAddress& ip) {
  try {
    deps_.client->create(kIPAddresses, "", ip_address_object(ip, service));
  } catch (const ApiError& e) {
    if (!is_already_exists(e)) throw;
  }
}

Result IPRepair::sync_ip_address(const std::string& name) {
  ObjectPtr ip_address = deps_.ip_addresses->get(name);
  if (!ip_address) {
    // Gone, or not in the cache yet (its watch is not the Services'): then its release
    // waits for it.
    if (live_ip_address(name)) return Result::requeue_after(kUnsyncedRetry);
    take_given_up(name);
    return Result::done();
  }
  const auto& ref = machinery::object_or_empty(machinery::object_at(*ip_address, {"spec", "parentRef"}));
  const std::string ns = string_at(ref, {"namespace"}), service_name = string_at(ref, {"name"});
  ObjectPtr parent = deps_.services->get(ns + "/" + service_name);
  // The cache may lag behind a create or change it has not seen yet: before anything is
  // deleted, the store says.
  if (!parent || !holds(*parent, name)) parent = live_service(ns, service_name);
  Verdict verdict =
      judge_ip_address(*ip_address, parent.get(), Clock::now(), deps_.grace, take_given_up(name));
  switch (verdict.action) {
    case Verdict::Action::Wait: return Result::requeue_after(verdict.wait);
    case Verdict::Action::Delete: {
      const std::string why = parent ? "its Service " + ns + "/" + service_name + " does not hold it"
                                     : "no Service " + ns + "/" + service_name + " holds it";
      if (deps_.events)
        deps_.events->event(*ip_address, "Warning", "IPAddressNotAllocated",
                            "IPAddress: " + name + " for Service " + ns + "/" + service_name +
                                " appears to have leaked: cleaning up");
      remove(*ip_address, why);
      return Result::done();
    }
    default: return Result::done();
  }
}

Result IPRepair::sync_service(const std::string& key) {
  ObjectPtr service = deps_.services->get(key);
  if (!service || !needs_cluster_ip(*service) || is_headless(*service)) return Result::done();
  Result result = Result::done();
  for (const auto& text : cluster_ip_index(*service)) {
    auto ip = IPAddress::parse(text);
    if (!ip) continue;  // validation keeps these out
    ObjectPtr ip_address = deps_.ip_addresses->get(text);
    if (!ip_address) ip_address = live_ip_address(text);
    ObjectPtr other;
    if (ip_address && !refers_to(*ip_address, key)) {
      const auto& ref = machinery::object_or_empty(machinery::object_at(*ip_address, {"spec", "parentRef"}));
      if (string_at(ref, {"resource"}) == "services" && string_at(ref, {"group"}).empty())
        other = live_service(string_at(ref, {"namespace"}), string_at(ref, {"name"}));
    }
    Verdict verdict = judge_service_ip(*service, text, in_range(*ip), ip_address.get(), other.get(),
                                       Clock::now(), deps_.grace);
    const std::string family = family_tag(*ip);
    switch (verdict.action) {
      case Verdict::Action::Create:
        // The cache may show a Service deleted or changed meanwhile, which needs no address.
        if (auto live = live_service(namespace_of(*service), name_of(*service)); !live || !holds(*live, text))
          continue;
        if (deps_.events)
          deps_.events->event(*service, "Warning", "ClusterIPNotAllocated",
                              "Cluster IP " + family + ": " + text + " is not allocated; repairing");
        create_for(*service, *ip);
        break;
      case Verdict::Action::Recreate:
        if (deps_.events)
          deps_.events->event(*service, "Warning", "ClusterIPNotAllocated",
                              "the ClusterIP " + family + ": " + text + " for Service " + key +
                                  " has a wrong reference; repairing");
        remove(*ip_address, "it names another object than Service " + key + ", which holds it");
        create_for(*service, *ip);
        break;
      case Verdict::Action::Duplicate:
        if (deps_.events)
          deps_.events->event(*service, "Warning", "ClusterIPAlreadyAllocated",
                              "Cluster IP " + family + ":" + text +
                                  " was assigned to multiple services; please recreate service");
        break;
      case Verdict::Action::OutOfRange:
        if (deps_.events)
          deps_.events->event(*service, "Warning", "ClusterIPOutOfRange",
                              "Cluster IP " + family + ": " + text +
                                  " is not within any configured Service CIDR; please recreate service");
        break;
      case Verdict::Action::Wait: result = Result::requeue_after(verdict.wait); break;
      default: break;
    }
  }
  return result;
}

}  // namespace ukube::admission::service_allocator
