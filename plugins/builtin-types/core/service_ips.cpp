#include "core/service_ips.h"

#include <algorithm>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/net.h"

namespace ukube::builtin {
namespace {

const std::vector<std::string> kFamilies = {"IPv4", "IPv6"};
const std::vector<std::string> kPolicies = {"PreferDualStack", "RequireDualStack", "SingleStack"};

bool is_external_name(const json::object& spec) {
  return string_at(spec, {"type"}) == "ExternalName";
}

bool headless_ips(const std::vector<std::string>& ips) {
  return ips.size() == 1 && ips.front() == "None";
}

void validate_ips(Errors& e, const json::object& spec) {
  const FieldPath path = FieldPath("spec").child("clusterIPs");
  const std::string ip = string_at(spec, {"clusterIP"});
  const auto ips = machinery::strings_at(spec, {"clusterIPs"});
  if (!ip.empty() && ips.empty())
    e.required(path);
  else if (!ip.empty() && ips.front() != ip)
    e.invalid(path, go_strings(ips), "first value must match `clusterIP`");
  else if (ip.empty() && !ips.empty())
    e.invalid(path, go_strings(ips), "must be empty when `clusterIP` is not specified");

  const auto families = machinery::strings_at(spec, {"ipFamilies"});
  for (size_t i = 0; i < families.size(); ++i) {
    if (std::find(kFamilies.begin(), kFamilies.end(), families[i]) == kFamilies.end())
      e.unsupported(FieldPath("spec").child("ipFamilies").index(i), families[i], kFamilies);
    if (std::find(families.begin(), families.begin() + static_cast<std::ptrdiff_t>(i), families[i]) !=
        families.begin() + static_cast<std::ptrdiff_t>(i))
      e.duplicate(FieldPath("spec").child("ipFamilies").index(i), quote(families[i]));
  }
  if (std::string policy = string_at(spec, {"ipFamilyPolicy"});
      !policy.empty() && std::find(kPolicies.begin(), kPolicies.end(), policy) == kPolicies.end())
    e.unsupported(FieldPath("spec").child("ipFamilyPolicy"), policy, kPolicies);

  bool bad_ip = false;
  for (size_t i = 0; i < ips.size(); ++i) {
    if (i == 0 && ips[i] == "None") {
      if (ips.size() > 1) {
        bad_ip = true;
        e.invalid(path, go_strings(ips), "'None' must be the first and only value");
      }
      continue;
    }
    if (!is_ip(ips[i])) {
      bad_ip = true;
      e.invalid(path.index(i), quote(ips[i]),
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
    }
  }
  if (ips.size() > 2) e.invalid(path, go_strings(ips), "may only hold up to 2 values");
  if (bad_ip) return;  // family checks of broken addresses would only add noise
  if (ips.size() == 2 && is_ipv6(ips[0]) == is_ipv6(ips[1]))
    e.invalid(path, go_strings(ips), "may specify no more than one IP for each IP family");
  if (headless_ips(ips)) return;
  for (size_t i = 0; i < ips.size() && i < families.size(); ++i) {
    const bool v6 = is_ipv6(ips[i]);
    if ((families[i] == "IPv4" && v6) || (families[i] == "IPv6" && !v6))
      e.invalid(
          path.index(i), quote(ips[i]),
          "expected an " + families[i] + " value as indicated by `ipFamilies[" + std::to_string(i) + "]`");
  }
}

// An update keeps the primary address; the secondary one may come (dual-stack) or go, the
// latter only with the policy SingleStack.
void validate_ip_update(Errors& e, const json::object& spec, const json::object& old_spec) {
  const auto ips = machinery::strings_at(spec, {"clusterIPs"});
  const auto before = machinery::strings_at(old_spec, {"clusterIPs"});
  if (headless_ips(ips) && headless_ips(before)) return;
  const FieldPath path = FieldPath("spec").child("clusterIPs");
  if (ips.size() == before.size()) {
    for (size_t i = 0; i < ips.size(); ++i)
      if (ips[i] != before[i]) e.invalid(path.index(i), go_strings(ips), "may not change once set");
    return;
  }
  if (ips.size() < before.size()) {
    if (ips.empty()) return e.invalid(path.index(0), go_strings(ips), "primary clusterIP can not be unset");
    if (ips.front() != before.front()) e.invalid(path.index(0), go_strings(ips), "may not change once set");
    if (ips.size() == 1 && string_at(spec, {"ipFamilyPolicy"}) != "SingleStack")
      e.invalid(FieldPath("spec").child("ipFamilyPolicy"), quote(string_at(spec, {"ipFamilyPolicy"})),
                "must be set to 'SingleStack' when releasing the secondary clusterIP");
    return;
  }
  if (!before.empty() && ips.front() != before.front())
    e.invalid(path.index(0), go_strings(ips), "may not change once set");
}

}  // namespace

void validate_service_ips(Errors& e, const json::object& spec, const json::object* old_spec) {
  if (is_external_name(spec)) {
    for (const char* list : {"clusterIPs", "ipFamilies"})
      if (const auto* values = array_at(spec, {list}); values && !values->empty())
        e.forbidden(FieldPath("spec").child(list), "may not be set for ExternalName services");
    if (is_set(spec, "ipFamilyPolicy"))
      e.forbidden(FieldPath("spec").child("ipFamilyPolicy"), "may not be set for ExternalName services");
    return;
  }
  validate_ips(e, spec);
  if (old_spec && !is_external_name(*old_spec)) validate_ip_update(e, spec, *old_spec);
}

}  // namespace ukube::builtin
