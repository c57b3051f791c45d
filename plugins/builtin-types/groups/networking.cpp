// networking.k8s.io/v1 ServiceCIDR and IPAddress: the ranges Service cluster IPs come from
// and the one object per allocated address that makes the allocation exclusive (upstream's
// MultiCIDRServiceAllocator, GA in 1.33). The allocator itself is a plugin of its own.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"
#include "ukube/machinery/ip.h"

namespace ukube::builtin {
namespace {

using machinery::IPAddress;
using machinery::IPPrefix;

void validate_cidrs(Errors& e, const std::vector<std::string>& cidrs) {
  FieldPath path = FieldPath("spec").child("cidrs");
  if (cidrs.empty()) return e.required(path, "at least one CIDR required");
  if (cidrs.size() > 2) return e.invalid(path, go_strings(cidrs), "may only hold up to 2 values");
  std::vector<IPPrefix> prefixes;
  for (size_t i = 0; i < cidrs.size(); ++i) {
    auto prefix = IPPrefix::parse(cidrs[i]);
    if (!prefix)
      e.invalid(path.index(i), quote(cidrs[i]),
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
    else
      prefixes.push_back(*prefix);
  }
  if (prefixes.size() == 2 && prefixes[0].family() == prefixes[1].family())
    e.invalid(path, go_strings(cidrs),
              "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64");
}

void validate_service_cidr(const json::object& o, const json::object* old, std::vector<FieldError>& out) {
  Errors e(out);
  const auto cidrs = machinery::strings_at(o, {"spec", "cidrs"});
  validate_cidrs(e, cidrs);
  if (!old) return;
  // Upstream keeps the ranges as they are, except that a single-stack ServiceCIDR may gain
  // the other family's range.
  const auto before = machinery::strings_at(*old, {"spec", "cidrs"});
  const bool upgraded = before.size() == 1 && cidrs.size() == 2 && cidrs[0] == before[0];
  if (cidrs != before && !upgraded)
    e.invalid(FieldPath("spec").child("cidrs"), go_strings(cidrs), "field is immutable");
}

std::string parent_ref_cell(const json::object& o) {
  const auto* ref = object_at(o, {"spec", "parentRef"});
  if (!ref) return "<none>";
  std::string group = string_at(*ref, {"group"});
  std::string out =
      machinery::ascii_lower(string_at(*ref, {"resource"}) + (group.empty() ? "" : "." + group));
  if (std::string ns = string_at(*ref, {"namespace"}); !ns.empty()) out += "/" + ns;
  return out + "/" + string_at(*ref, {"name"});
}

void validate_ip_address(const json::object& o, const json::object* old, std::vector<FieldError>& out) {
  Errors e(out);
  const std::string name = string_at(o, {"metadata", "name"});
  if (auto ip = IPAddress::parse(name); !ip)
    e.invalid(FieldPath("metadata").child("name"), quote(name),
              "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
  else if (ip->to_string() != name)
    e.invalid(FieldPath("metadata").child("name"), quote(name),
              "must be in canonical form (" + quote(ip->to_string()) + ")");
  FieldPath path = FieldPath("spec").child("parentRef");
  const auto* ref = object_at(o, {"spec", "parentRef"});
  if (!ref) return e.required(path, "");
  // The core group Services are in is "", so group cannot be required.
  if (std::string group = string_at(*ref, {"group"}); !group.empty())
    report(e, path.child("group"), group, dns1123_subdomain_errors(group));
  for (const char* required : {"resource", "name"}) {
    std::string value = string_at(*ref, {required});
    if (value.empty())
      e.required(path.child(required), "");
    else
      report(e, path.child(required), value, machinery::path_segment_errors(value));
  }
  if (std::string ns = string_at(*ref, {"namespace"}); !ns.empty())
    report(e, path.child("namespace"), ns, machinery::path_segment_errors(ns));
  if (old) {
    const auto* before = object_at(*old, {"spec", "parentRef"});
    if (!before || *before != *ref) e.invalid(path, json::serialize(*ref), "field is immutable");
  }
}

}  // namespace

TypeInfo servicecidrs_type() {
  TypeInfo t = make_type("networking.k8s.io", "v1", "ServiceCIDR", "servicecidrs", false);
  t.status_subresource = true;
  t.printer_columns = {name_column(), column("CIDRs", "string", "The ranges Service cluster IPs come from."),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), join(machinery::strings_at(o, {"spec", "cidrs"})), age_cell(o, now)};
  });
  t.validators.push_back(validate_service_cidr);
  using namespace schema;
  t.schema = share(
      resource("networking.k8s.io", "v1", "ServiceCIDR",
               "A range of IP addresses Service cluster IPs are allocated from.",
               {{"spec", object({{"cidrs", atomic_list(string(), "At most one CIDR per IP family."), 1}}), 2},
                {"status", object({{"conditions", conditions(), 1}}), 3}}));
  return t;
}

TypeInfo ipaddresses_type() {
  TypeInfo t = make_type("networking.k8s.io", "v1", "IPAddress", "ipaddresses", false, {"ip"});
  // Named by the address itself, which an IPv6 address's colons keep from being a DNS name.
  t.name_rule = TypeInfo::NameRule::PathSegment;
  t.printer_columns = {name_column(),
                       column("ParentRef", "string", "The object the address is allocated to.")};
  t.table_row = [](const json::object& o) { return json::array{name_of(o), parent_ref_cell(o)}; };
  t.validators.push_back(validate_ip_address);
  using namespace schema;
  Schema parent_ref = object(
      {{"group", string(), 1}, {"resource", string(), 2}, {"namespace", string(), 3}, {"name", string(), 4}});
  t.schema = share(resource("networking.k8s.io", "v1", "IPAddress",
                            "An IP address allocated to one object (a Service's cluster IP).",
                            {{"spec", object({{"parentRef", parent_ref, 1, kPointer}}), 2}}));
  return t;
}

}  // namespace ukube::builtin
