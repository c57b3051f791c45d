#include "cluster_ips.h"

#include <algorithm>

#include <boost/json.hpp>

#include "allocation_error.h"
#include "service_spec.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::admission::service_allocator {

using machinery::kIPAddresses;
using machinery::name_of;
using machinery::namespace_of;
using machinery::string_at;

namespace {

// upstream's isReady: a ServiceCIDR without a Ready condition counts as ready.
bool allocatable_from(const json::object& cidr) {
  if (machinery::has_deletion_timestamp(cidr)) return false;
  bool ok = true;
  machinery::for_each_object(machinery::array_at(cidr, {"status", "conditions"}),
                             [&](const json::object& c, size_t) {
                               if (string_at(c, {"type"}) == "Ready") ok = string_at(c, {"status"}) == "True";
                             });
  return ok;
}

}  // namespace

std::vector<std::string> cluster_ip_index(const json::object& service) {
  std::vector<std::string> out;
  for (auto& ip : cluster_ips(service))
    if (ip != "None" && !ip.empty()) out.push_back(std::move(ip));
  return out;
}

json::object ip_address_object(const IPAddress& ip, const json::object& service) {
  json::object ref{
      {"resource", "services"}, {"namespace", namespace_of(service)}, {"name", name_of(service)}};
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "IPAddress"},
          {"metadata",
           {{"name", ip.to_string()},
            {"labels", {{kIPFamilyLabel, to_string(ip.family())}, {kManagedByLabel, kAllocatorName}}}}},
          {"spec", {{"parentRef", std::move(ref)}}}};
}

bool refers_to(const json::object& ip_address, const std::string& service) {
  const auto& ref = machinery::object_or_empty(machinery::object_at(ip_address, {"spec", "parentRef"}));
  return string_at(ref, {"group"}).empty() && string_at(ref, {"resource"}) == "services" &&
         string_at(ref, {"namespace"}) + "/" + string_at(ref, {"name"}) == service;
}

ClusterIPAllocator::ClusterIPAllocator(ClusterIPDeps deps)
    : deps_(std::move(deps)), random_(std::random_device{}()) {}

std::vector<IPFamily> ClusterIPAllocator::families() const {
  std::vector<IPFamily> out;
  for (const auto& prefix : deps_.configured)
    if (std::find(out.begin(), out.end(), prefix.family()) == out.end()) out.push_back(prefix.family());
  return out;
}

std::vector<ServiceIPRange> ClusterIPAllocator::ranges(IPFamily family) const {
  std::vector<IPPrefix> prefixes;
  auto add = [&](const IPPrefix& prefix) {
    if (prefix.family() == family && std::find(prefixes.begin(), prefixes.end(), prefix) == prefixes.end())
      prefixes.push_back(prefix);
  };
  for (const auto& prefix : deps_.configured) add(prefix);
  if (deps_.service_cidrs)
    for (const auto& cidr : deps_.service_cidrs->list())
      if (cidr && allocatable_from(*cidr))
        for (const auto& text : machinery::strings_at(*cidr, {"spec", "cidrs"}))
          if (auto prefix = IPPrefix::parse(text)) add(*prefix);
  std::vector<ServiceIPRange> out;
  for (const auto& prefix : prefixes)
    if (auto range = ServiceIPRange::of(prefix)) out.push_back(*range);
  return out;
}

bool ClusterIPAllocator::in_use(const IPAddress& ip) const {
  const std::string name = ip.to_string();
  return deps_.ip_addresses->get(name) || !deps_.services->by_index(kServicesByClusterIP, name).empty();
}

bool ClusterIPAllocator::claim(const IPAddress& ip, const json::object& service) {
  const json::object object = ip_address_object(ip, service);
  const std::string name = ip.to_string();
  try {
    deps_.client->create(kIPAddresses, "", object);
    return true;
  } catch (const ApiError& e) {
    if (!is_already_exists(e)) throw;
  }
  // An IPAddress naming this very Service is left from a deleted Service of the same name
  // (upstream would have released it with the deletion) or from an earlier attempt of this
  // request. It is replaced rather than taken over, so that the repair loop, which deletes
  // by uid, cannot delete it after it has judged the old one a leftover.
  ObjectPtr existing;
  try {
    existing = deps_.client->get(kIPAddresses, "", name);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  if (existing && !refers_to(*existing, service_key(service))) return false;
  try {
    if (existing) {
      DeleteOptions options;
      options.precondition_uid = machinery::uid_of(*existing);
      deps_.client->remove(kIPAddresses, "", name, options);
    }
    deps_.client->create(kIPAddresses, "", object);
    return true;
  } catch (const ApiError& e) {
    // Someone else's now, or changed under us: not ours to take.
    if (is_already_exists(e) || is_conflict(e) || is_not_found(e)) return false;
    throw;
  }
}

void ClusterIPAllocator::allocate(const json::object& service, const IPAddress& requested, bool dry_run) {
  // A range whose network (or broadcast) address was asked for names itself in the error.
  const auto all = ranges(requested.family());
  const ServiceIPRange* reserved_in = nullptr;
  bool allocatable = false;
  for (const auto& range : all) {
    const auto place = range.place(requested);
    allocatable = allocatable || place == ServiceIPRange::Place::Allocatable;
    if (place == ServiceIPRange::Place::Reserved && !reserved_in) reserved_in = &range;
  }
  if (!allocatable && !reserved_in)
    throw AllocationError(AllocationError::Kind::MismatchedNetwork,
                          "the provided network does not match the current range");
  if (!allocatable)
    throw AllocationError(AllocationError::Kind::NotInRange,
                          "the provided IP (" + requested.to_string() +
                              ") is not in the valid range. The range of valid IPs is " +
                              reserved_in->prefix().to_string());
  if (dry_run) return;
  const std::string self = service_key(service);
  for (const auto& holder : deps_.services->by_index(kServicesByClusterIP, requested.to_string()))
    if (holder && service_key(*holder) != self)
      throw AllocationError(AllocationError::Kind::Allocated, "provided IP is already allocated");
  if (!claim(requested, service))
    throw AllocationError(AllocationError::Kind::Allocated, "provided IP is already allocated");
}

IPAddress ClusterIPAllocator::allocate_next(const json::object& service, IPFamily family, bool dry_run) {
  const auto all = ranges(family);
  if (dry_run && !all.empty()) return all.front().prefix().network();
  std::mt19937_64 random;
  {
    std::lock_guard lock(random_mutex_);
    random.seed(random_());
  }
  for (const auto& range : all) {
    auto picked = range.bands().pick(random, [&](uint64_t index) {
      const IPAddress ip = range.at(index);
      return !in_use(ip) && claim(ip, service);
    });
    if (picked) return range.at(*picked);
  }
  throw AllocationError(AllocationError::Kind::Full, "range is full");
}

void ClusterIPAllocator::release(const IPAddress& ip, const json::object& service) {
  try {
    ObjectPtr existing = deps_.client->get(kIPAddresses, "", ip.to_string());
    if (!existing || !refers_to(*existing, service_key(service))) return;
    DeleteOptions options;
    options.precondition_uid = machinery::uid_of(*existing);
    deps_.client->remove(kIPAddresses, "", ip.to_string(), options);
  } catch (const ApiError&) {
    // Gone already, or someone else's now; the repair loop sees to anything left.
  }
}

}  // namespace ukube::admission::service_allocator
