// networking.k8s.io/v1 NetworkPolicy: which traffic may reach and leave the pods it
// selects. Enforcement is the network-policy plugin's; this is the type, its defaults and
// upstream's validation.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/labels.h"
#include "common/names.h"
#include "common/net.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"
#include "ukube/machinery/ip.h"

namespace ukube::builtin {
namespace {

using machinery::IPPrefix;

const std::vector<std::string> kPolicyTypes{"Egress", "Ingress"};

void default_network_policy(json::object& o) {
  auto& spec = child(o, "spec");
  for (const char* direction : {"ingress", "egress"})
    for_each_object(mutable_array(spec, direction), [](json::object& rule, size_t) {
      for_each_object(mutable_array(rule, "ports"),
                      [](json::object& p, size_t) { set_default(p, "protocol", "TCP"); });
    });
  // Without policyTypes a policy isolates ingress, and egress too once it lists egress rules.
  const auto* types = array_at(spec, {"policyTypes"});
  if (types && !types->empty()) return;
  json::array defaulted{"Ingress"};
  if (const auto* egress = array_at(spec, {"egress"}); egress && !egress->empty())
    defaulted.push_back("Egress");
  spec["policyTypes"] = std::move(defaulted);
}

void validate_port(Errors& e, const FieldPath& p, const json::object& port) {
  if (const auto* protocol = port.if_contains("protocol"); protocol && protocol->is_string()) {
    const std::string value(protocol->get_string());
    if (std::find(kProtocols.begin(), kProtocols.end(), value) == kProtocols.end())
      e.unsupported(p.child("protocol"), value, kProtocols);
  }
  const auto* number = port.if_contains("port");
  const auto end_port = int_at(port, {"endPort"});
  if (!number || number->is_null()) {
    if (end_port) e.required(p.child("port"), "must be specified when `endPort` is specified");
    return;
  }
  if (number->is_string()) {
    report(e, p.child("port"), std::string(number->get_string()), iana_svc_name_errors(number->get_string()));
    if (end_port) e.forbidden(p.child("endPort"), "may not be specified when `port` is non-numeric");
    return;
  }
  const auto value = as_int(*number);
  if (!value) return e.invalid_value(p.child("port"), *number, "must be an integer or a port name");
  check_port_number(e, p.child("port"), *value);
  if (end_port && *end_port < *value)
    e.invalid_int(p.child("endPort"), *end_port, "must be greater than or equal to `port`");
  if (end_port) check_port_number(e, p.child("endPort"), *end_port);
}

void validate_ip_block(Errors& e, const FieldPath& p, const json::object& block) {
  const std::string cidr = string_at(block, {"cidr"});
  if (cidr.empty()) return e.required(p.child("cidr"), "");
  const auto prefix = IPPrefix::parse(cidr);
  if (!prefix)
    return e.invalid(p.child("cidr"), quote(cidr),
                     "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
  const auto excepts = machinery::strings_at(block, {"except"});
  for (size_t i = 0; i < excepts.size(); ++i) {
    const auto except = IPPrefix::parse(excepts[i]);
    if (!except) {
      e.invalid(p.child("except").index(i), quote(excepts[i]),
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
    } else if (except->family() != prefix->family() || except->bits() <= prefix->bits() ||
               !prefix->contains(except->network())) {
      e.invalid(p.child("except").index(i), quote(excepts[i]), "must be a strict subset of `cidr`");
    }
  }
}

void validate_peer(Errors& e, const FieldPath& p, const json::object& peer) {
  int kinds = 0;
  const auto* pods = object_at(peer, {"podSelector"});
  const auto* namespaces = object_at(peer, {"namespaceSelector"});
  const auto* block = object_at(peer, {"ipBlock"});
  if (pods || namespaces) ++kinds;
  if (pods) validate_label_selector(e, p.child("podSelector"), *pods);
  if (namespaces) validate_label_selector(e, p.child("namespaceSelector"), *namespaces);
  if (block) {
    ++kinds;
    validate_ip_block(e, p.child("ipBlock"), *block);
  }
  if (kinds == 0) e.required(p, "must specify a peer");
  if (kinds > 1) e.forbidden(p, "may not specify more than 1 peer");
}

void validate_network_policy(const json::object& o, const json::object*, std::vector<FieldError>& out) {
  Errors e(out);
  const json::object empty;
  const auto* spec = object_at(o, {"spec"});
  if (!spec) spec = &empty;
  FieldPath sp("spec");
  if (const auto* selector = object_at(*spec, {"podSelector"}))
    validate_label_selector(e, sp.child("podSelector"), *selector);
  for (auto [direction, peers] : {std::pair{"ingress", "from"}, std::pair{"egress", "to"}}) {
    for_each_object(array_at(*spec, {direction}), [&](const json::object& rule, size_t i) {
      FieldPath rp = sp.child(direction).index(i);
      for_each_object(array_at(rule, {"ports"}), [&](const json::object& port, size_t j) {
        validate_port(e, rp.child("ports").index(j), port);
      });
      for_each_object(array_at(rule, {peers}), [&](const json::object& peer, size_t j) {
        validate_peer(e, rp.child(peers).index(j), peer);
      });
    });
  }
  const auto types = machinery::strings_at(*spec, {"policyTypes"});
  for (size_t i = 0; i < types.size(); ++i)
    if (std::find(kPolicyTypes.begin(), kPolicyTypes.end(), types[i]) == kPolicyTypes.end())
      e.unsupported(sp.child("policyTypes").index(i), types[i], kPolicyTypes);
  if (types.size() > 2)
    e.invalid(sp.child("policyTypes"), go_strings(types), "may not specify more than two policyTypes");
}

std::string pod_selector_cell(const json::object& o) {
  const auto* selector = object_at(o, {"spec", "podSelector"});
  if (!selector || selector_is_empty(*selector)) return "<none>";
  return selector_string(selector);
}

}  // namespace

TypeInfo networkpolicies_type() {
  TypeInfo t = make_type("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, {"netpol"});
  t.printer_columns = {name_column(), column("Pod-Selector", "string", "The pods the policy applies to."),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), pod_selector_cell(o), age_cell(o, now)};
  });
  t.defaulters.push_back(default_network_policy);
  t.validators.push_back(validate_network_policy);
  using namespace schema;
  Schema port =
      object({{"protocol", with_default(string("TCP, UDP or SCTP; default TCP."), "TCP"), 1, kPointer},
              {"port", int_or_string("A port number or a named container port."), 2, kPointer},
              {"endPort", integer("With a numeric port: the last port of the range."), 3, kPointer}});
  Schema ip_block =
      object({{"cidr", string("The range allowed."), 1, kAlways},
              {"except", atomic_list(string(), "Ranges inside cidr that are not allowed."), 2}});
  Schema peer = object({{"podSelector", label_selector(), 1, kPointer},
                        {"namespaceSelector", label_selector(), 2, kPointer},
                        {"ipBlock", ip_block, 3, kPointer}});
  Schema ingress = object({{"ports", atomic_list(port), 1}, {"from", atomic_list(peer), 2}});
  Schema egress = object({{"ports", atomic_list(port), 1}, {"to", atomic_list(peer), 2}});
  t.schema = share(resource(
      "networking.k8s.io", "v1", "NetworkPolicy", "Which traffic the selected pods may receive and send.",
      {{"spec",
        object({{"podSelector",
                 label_selector("The pods the policy applies to; empty: all of the namespace."), 1, kAlways},
                {"ingress", atomic_list(ingress, "Traffic the pods may receive."), 2},
                {"egress", atomic_list(egress, "Traffic the pods may send."), 3},
                {"policyTypes", atomic_list(string(), "Ingress, Egress or both."), 4}}),
        2}}));
  return t;
}

}  // namespace ukube::builtin
