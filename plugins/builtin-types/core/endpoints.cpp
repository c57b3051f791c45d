// core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice: the addresses behind services.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/names.h"
#include "common/net.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

constexpr size_t kShownAddresses = 3;

// "10.0.0.1:80,10.0.0.2:80 + 3 more..." as kubectl abbreviates long lists.
std::string abbreviate(const std::vector<std::string>& items) {
  if (items.empty()) return "<none>";
  std::vector<std::string> shown(items.begin(), items.begin() + std::min(items.size(), kShownAddresses));
  std::string out = join(shown);
  if (items.size() > kShownAddresses)
    out += " + " + std::to_string(items.size() - kShownAddresses) + " more...";
  return out;
}

std::string endpoints_cell(const json::object& ep) {
  std::vector<std::string> items;
  for_each_object(array_at(ep, {"subsets"}), [&](const json::object& subset, size_t) {
    const auto* ports = array_at(subset, {"ports"});
    for_each_object(array_at(subset, {"addresses"}), [&](const json::object& a, size_t) {
      std::string ip = string_at(a, {"ip"});
      if (!ports || ports->empty()) {
        items.push_back(ip);
        return;
      }
      for_each_object(ports, [&](const json::object& p, size_t) {
        items.push_back(ip + ":" + std::to_string(int_or(p, {"port"}, 0)));
      });
    });
  });
  return abbreviate(items);
}

void default_ports(json::array* ports) {
  for_each_object(ports, [](json::object& p, size_t) { set_default(p, "protocol", "TCP"); });
}

// The same JSON in both APIs, but numbered and held differently: discovery/v1's fields are
// all pointers.
schema::Schema endpoint_port(bool slice) {
  using namespace schema;
  if (slice)
    return object({{"name", string(), 1, kPointer},
                   {"port", integer(), 3, kPointer},
                   {"protocol", string(), 2, kPointer},
                   {"appProtocol", string(), 4, kPointer}});
  return object({{"name", string(), 1},
                 {"port", integer(), 2, kAlways},
                 {"protocol", string(), 3},
                 {"appProtocol", string(), 4, kPointer}});
}

}  // namespace

TypeInfo endpoints_type() {
  TypeInfo t = make_type("", "v1", "Endpoints", "endpoints", true, {"ep"});
  t.singular = "endpoints";
  t.printer_columns = {name_column(), column("Endpoints", "string", "Ready addresses with their ports."),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), endpoints_cell(o), age_cell(o, now)};
  });
  t.defaulters.push_back([](json::object& o) {
    for_each_object(mutable_array(o, "subsets"),
                    [](json::object& s, size_t) { default_ports(mutable_array(s, "ports")); });
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    for_each_object(array_at(o, {"subsets"}), [&](const json::object& s, size_t i) {
      FieldPath sp = FieldPath("subsets").index(i);
      for (const char* list : {"addresses", "notReadyAddresses"}) {
        for_each_object(array_at(s, {list}), [&](const json::object& a, size_t j) {
          std::string ip = string_at(a, {"ip"});
          if (!is_ip(ip))
            e.invalid(sp.child(list).index(j).child("ip"), quote(ip),
                      "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        });
      }
      for_each_object(array_at(s, {"ports"}), [&](const json::object& p, size_t j) {
        check_port_number(e, sp.child("ports").index(j).child("port"), int_or(p, {"port"}, 0));
      });
    });
  });
  using namespace schema;
  Schema address = object({{"ip", string(), 1, kAlways},
                           {"hostname", string(), 3},
                           {"nodeName", string(), 4, kPointer},
                           {"targetRef", object_reference(), 2, kPointer}});
  Schema subset = object({{"addresses", atomic_list(address), 1},
                          {"notReadyAddresses", atomic_list(address), 2},
                          {"ports", atomic_list(endpoint_port(false)), 3}});
  t.schema = share(resource("", "v1", "Endpoints", "The addresses that implement a service.",
                            {{"subsets", atomic_list(subset, "Groups of addresses sharing ports."), 2}}));
  return t;
}

TypeInfo endpointslices_type() {
  TypeInfo t = make_type("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true);
  t.printer_columns = {name_column(),
                       column("AddressType", "string", "IPv4, IPv6 or FQDN.", 0, ".addressType"),
                       column("Ports", "string", "Ports of the slice."),
                       column("Endpoints", "string", "Addresses of the slice."), age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::vector<std::string> ports, addresses;
    for_each_object(array_at(o, {"ports"}), [&](const json::object& p, size_t) {
      auto port = int_at(p, {"port"});
      ports.push_back(port ? std::to_string(*port) : "<unset>");
    });
    for_each_object(array_at(o, {"endpoints"}), [&](const json::object& ep, size_t) {
      if (const auto* list = array_at(ep, {"addresses"}))
        for (const auto& a : *list) addresses.emplace_back(as_string(a));
    });
    return json::array{name_of(o), string_at(o, {"addressType"}), ports.empty() ? "<unset>" : join(ports),
                       abbreviate(addresses), age_cell(o, now)};
  });
  t.defaulters.push_back([](json::object& o) { default_ports(mutable_array(o, "ports")); });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    std::string type = string_at(o, {"addressType"});
    if (type.empty())
      e.required(FieldPath("addressType"), "");
    else if (type != "IPv4" && type != "IPv6" && type != "FQDN")
      e.unsupported(FieldPath("addressType"), type, {"FQDN", "IPv4", "IPv6"});
    for_each_object(array_at(o, {"endpoints"}), [&](const json::object& ep, size_t i) {
      const auto* list = array_at(ep, {"addresses"});
      if (!list || list->empty())
        e.required(FieldPath("endpoints").index(i).child("addresses"), "must contain at least 1 address");
    });
  });
  using namespace schema;
  Schema endpoint = object({
      {"addresses", set_list(string(), "Addresses of the endpoint."), 1, kAlways},
      {"conditions",
       object({{"ready", boolean(), 1, kPointer},
               {"serving", boolean(), 2, kPointer},
               {"terminating", boolean(), 3, kPointer}}),
       2},
      {"hostname", string(), 3, kPointer},
      {"targetRef", object_reference(), 4, kPointer},
      {"deprecatedTopology", string_map(), 5},
      {"nodeName", string(), 6, kPointer},
      {"zone", string(), 7, kPointer},
      {"hints",
       object({{"forZones", atomic_list(object({{"name", string(), 1, kAlways}})), 1},
               {"forNodes", atomic_list(object({{"name", string(), 1, kAlways}})), 2}}),
       8, kPointer},
  });
  t.schema =
      share(resource("discovery.k8s.io", "v1", "EndpointSlice", "A subset of the endpoints of a service.",
                     {{"addressType", string("IPv4, IPv6 or FQDN."), 4, kAlways},
                      {"endpoints", atomic_list(endpoint), 2, kAlways},
                      {"ports", atomic_list(endpoint_port(true)), 3, kAlways}}));
  return t;
}

}  // namespace ukube::builtin
