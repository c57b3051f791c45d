#include "linux_container.h"

#include <boost/json.hpp>

#include <algorithm>

#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/quantity.h"

namespace ukube::kubelet {

namespace json = boost::json;
using machinery::object_at;

namespace {

// Upstream's constants (pkg/kubelet/cm: MinShares, SharesPerCPU, QuotaPeriod).
constexpr int64_t kMinShares = 2;
constexpr int64_t kSharesPerCpu = 1024;
constexpr int64_t kQuotaPeriodUs = 100000;
constexpr int64_t kMinQuotaUs = 1000;

std::optional<machinery::Quantity> resource(const json::object& container, const char* kind,
                                            const char* name) {
  const json::object* list = object_at(container, {"resources", kind});
  if (!list) return std::nullopt;
  const json::value* v = list->if_contains(name);
  return v ? machinery::Quantity::from_json(*v) : std::nullopt;
}

std::optional<int64_t> int_field(const json::object* context, const char* name) {
  if (!context) return std::nullopt;
  return machinery::int_at(*context, {name});
}

}  // namespace

runtime::Resources container_resources(const json::object& container) {
  runtime::Resources r;
  auto cpu_request = resource(container, "requests", "cpu");
  auto cpu_limit = resource(container, "limits", "cpu");
  auto memory_limit = resource(container, "limits", "memory");
  // A container with a limit and no request is given the limit as its request.
  auto request = cpu_request ? cpu_request : cpu_limit;
  int64_t milli = request ? request->milli_value() : 0;
  r.cpu_shares = std::max(kMinShares, milli * kSharesPerCpu / 1000);
  if (cpu_limit && cpu_limit->milli_value() > 0) {
    r.cpu_period = kQuotaPeriodUs;
    r.cpu_quota = std::max(kMinQuotaUs, cpu_limit->milli_value() * kQuotaPeriodUs / 1000);
  }
  if (memory_limit) r.memory_limit_in_bytes = memory_limit->value();
  return r;
}

runtime::SecurityContext container_security(const json::object& pod_spec, const json::object& container) {
  runtime::SecurityContext s;
  const json::object* pod = object_at(pod_spec, {"securityContext"});
  const json::object* own = object_at(container, {"securityContext"});
  s.run_as_user = int_field(own, "runAsUser");
  if (!s.run_as_user) s.run_as_user = int_field(pod, "runAsUser");
  s.run_as_group = int_field(own, "runAsGroup");
  if (!s.run_as_group) s.run_as_group = int_field(pod, "runAsGroup");
  if (pod) {
    if (const json::array* groups = machinery::array_at(*pod, {"supplementalGroups"}))
      for (const auto& g : *groups)
        if (g.is_int64()) s.supplemental_groups.push_back(g.as_int64());
    if (auto fs_group = int_field(pod, "fsGroup")) s.supplemental_groups.push_back(*fs_group);
  }
  if (own) {
    s.privileged = machinery::bool_at(*own, {"privileged"}).value_or(false);
    s.readonly_rootfs = machinery::bool_at(*own, {"readOnlyRootFilesystem"}).value_or(false);
    // allowPrivilegeEscalation defaults to true, except that privileged implies it.
    s.no_new_privileges =
        !machinery::bool_at(*own, {"allowPrivilegeEscalation"}).value_or(true) && !s.privileged;
    for (const char* kind : {"add", "drop"}) {
      auto& out = std::string(kind) == "add" ? s.capabilities.add : s.capabilities.drop;
      if (const json::array* caps = machinery::array_at(*own, {"capabilities", kind}))
        for (const auto& c : *caps)
          if (c.is_string()) out.emplace_back(c.as_string());
    }
  }
  std::string seccomp = own ? machinery::string_at(*own, {"seccompProfile", "type"}) : "";
  if (seccomp.empty() && pod) seccomp = machinery::string_at(*pod, {"seccompProfile", "type"});
  if (seccomp == "RuntimeDefault")
    s.seccomp_profile = "runtime/default";
  else if (seccomp == "Unconfined")
    s.seccomp_profile = "unconfined";
  return s;
}

std::string pod_cgroup_parent(const json::object& pod) {
  const json::object* spec = object_at(pod, {"spec"});
  std::string qos = spec ? machinery::pod_qos_class(*spec) : "BestEffort";
  std::string parent = "/kubepods";
  if (qos == "Burstable")
    parent += "/burstable";
  else if (qos == "BestEffort")
    parent += "/besteffort";
  return parent + "/pod" + machinery::uid_of(pod);
}

}  // namespace ukube::kubelet
