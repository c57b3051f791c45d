#include "repair_decisions.h"

#include <algorithm>
#include <optional>

#include "cluster_ips.h"
#include "service_spec.h"
#include "ukube/machinery/json.h"

namespace ukube::admission::service_allocator {

using machinery::string_at;

namespace {

bool made_by_allocator(const json::object& ip_address) {
  return string_at(ip_address, {"metadata", "labels", kManagedByLabel}) == kAllocatorName;
}

// Past the grace period since the IPAddress was created: nothing in flight can still claim
// it. An unreadable timestamp counts as old.
std::optional<std::chrono::seconds> still_young(const json::object& ip_address, Clock::time_point now,
                                                std::chrono::seconds grace) {
  auto created = machinery::parse_time(machinery::meta_string(ip_address, "creationTimestamp"));
  if (!created) return std::nullopt;
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *created);
  if (age >= grace) return std::nullopt;
  return grace - age;
}

Verdict wait_or(const json::object& ip_address, Clock::time_point now, std::chrono::seconds grace,
                Verdict::Action action) {
  if (auto left = still_young(ip_address, now, grace)) return {Verdict::Action::Wait, *left};
  return {action, {}};
}

}  // namespace

bool holds(const json::object& service, const std::string& address) {
  const auto ips = cluster_ips(service);
  return needs_cluster_ip(service) && std::find(ips.begin(), ips.end(), address) != ips.end();
}

Verdict judge_ip_address(const json::object& ip_address, const json::object* parent, Clock::time_point now,
                         std::chrono::seconds grace, int64_t given_up_at) {
  if (!made_by_allocator(ip_address)) return {};
  const auto& ref = machinery::object_or_empty(machinery::object_at(ip_address, {"spec", "parentRef"}));
  // The allocator only ever names Services: something else changed it (upstream deletes
  // it at once).
  if (!string_at(ref, {"group"}).empty() || string_at(ref, {"resource"}) != "services")
    return {Verdict::Action::Delete, {}};
  if (parent && holds(*parent, machinery::name_of(ip_address))) return {};
  if (given_up_at > 0 && revision_of(ip_address) < given_up_at) return {Verdict::Action::Delete, {}};
  return wait_or(ip_address, now, grace, Verdict::Action::Delete);
}

Verdict judge_service_ip(const json::object& service, const std::string& address, bool in_range,
                         const json::object* ip_address, const json::object* other, Clock::time_point now,
                         std::chrono::seconds grace) {
  if (!in_range) return {Verdict::Action::OutOfRange, {}};
  if (!ip_address) return {Verdict::Action::Create, {}};
  if (refers_to(*ip_address, service_key(service)))
    return made_by_allocator(*ip_address) ? Verdict{} : Verdict{Verdict::Action::Recreate, {}};
  if (other && holds(*other, address)) return {Verdict::Action::Duplicate, {}};
  return wait_or(*ip_address, now, grace, Verdict::Action::Recreate);
}

}  // namespace ukube::admission::service_allocator
