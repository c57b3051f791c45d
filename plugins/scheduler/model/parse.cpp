#include "model/parse.h"

#include <algorithm>
#include <boost/json.hpp>

#include "model/node_accounting.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/node_affinity.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/quantity.h"
#include "ukube/machinery/taints.h"

namespace ukube::scheduler {
namespace json = boost::json;

// The lenient readers: absent and mistyped members read as empty, and an absent object
// (object_or_empty) as one without members, so a half-written object never throws here.
using machinery::array_at;
using machinery::as_string;
using machinery::int_at;
using machinery::object_at;
using machinery::object_or_empty;
using machinery::string_at;

namespace {

// A quantity in thousandths or in whole units, rounded up as upstream's MilliValue() and
// Value(); 0 when malformed (validation refused it already).
int64_t milli_of(const json::value& v) {
  auto q = machinery::Quantity::from_json(v);
  return q ? q->milli_value() : 0;
}
int64_t units_of(const json::value& v) {
  auto q = machinery::Quantity::from_json(v);
  return q ? q->value() : 0;
}

// A node selector term; one that is empty or does not parse selects nothing.
std::optional<NodeSelectorTerm> parse_term(const json::object* t) {
  return t ? machinery::parse_node_selector_term(*t) : std::nullopt;
}

// Extends a selector with matchLabelKeys: the incoming pod's own values for those keys.
void add_match_label_keys(LabelSelector& selector, const json::array* keys, const Labels& pod_labels) {
  if (!keys) return;
  for (const auto& k : *keys) {
    std::string key(as_string(k));
    if (const std::string* v = pod_labels.find(key))
      selector.requirements.push_back({key, SelectorOp::In, {*v}});
  }
}

PodAffinityTerm parse_affinity_term(const json::object& t, const Labels& pod_labels) {
  PodAffinityTerm term;
  term.selector = parse_label_selector(t.if_contains("labelSelector"));
  if (const auto* ns = array_at(t, {"namespaces"}))
    for (const auto& n : *ns) term.namespaces.emplace_back(as_string(n));
  if (machinery::is_set(t, "namespaceSelector"))
    term.namespace_selector = parse_label_selector(t.if_contains("namespaceSelector"));
  term.topology_key = string_at(t, {"topologyKey"});
  add_match_label_keys(term.selector, array_at(t, {"matchLabelKeys"}), pod_labels);
  if (const auto* keys = array_at(t, {"mismatchLabelKeys"}))
    for (const auto& k : *keys) {
      std::string key(as_string(k));
      if (const std::string* v = pod_labels.find(key))
        term.selector.requirements.push_back({key, SelectorOp::NotIn, {*v}});
    }
  return term;
}

void parse_pod_affinity(const json::object* a, const Labels& labels, PodAffinity& out) {
  if (!a) return;
  if (const auto* req = array_at(*a, {"requiredDuringSchedulingIgnoredDuringExecution"}))
    for (const auto& t : *req)
      out.required.push_back(parse_affinity_term(object_or_empty(t.if_object()), labels));
  if (const auto* pref = array_at(*a, {"preferredDuringSchedulingIgnoredDuringExecution"}))
    for (const auto& p : *pref) {
      const json::object& w = object_or_empty(p.if_object());
      PodAffinityTerm term = parse_affinity_term(object_or_empty(object_at(w, {"podAffinityTerm"})), labels);
      term.weight = static_cast<int32_t>(int_at(w, {"weight"}).value_or(0));
      out.preferred.push_back(std::move(term));
    }
}

// Requests, with limits standing in for missing requests as API defaulting does.
Resources requests_of(const json::object* req, const json::object* lim) {
  Resources r;
  auto add = [&](const json::object* from, bool only_missing) {
    if (!from) return;
    for (const auto& [k, v] : *from) {
      std::string_view name = k;
      if (only_missing && req && req->contains(name)) continue;
      if (name == "cpu") {
        r.milli_cpu = milli_of(v);
      } else if (name == "memory") {
        r.memory = units_of(v);
      } else if (name == "ephemeral-storage") {
        r.ephemeral_storage = units_of(v);
      } else if (name != "pods") {
        r.scalars.emplace_back(std::string(name), units_of(v));
      }
    }
  };
  add(req, false);
  add(lim, true);
  std::sort(r.scalars.begin(), r.scalars.end());
  return r;
}

Resources container_requests(const json::object& c) {
  return requests_of(object_at(c, {"resources", "requests"}), object_at(c, {"resources", "limits"}));
}

void max_into(Resources& into, const Resources& r) {
  into.milli_cpu = std::max(into.milli_cpu, r.milli_cpu);
  into.memory = std::max(into.memory, r.memory);
  into.ephemeral_storage = std::max(into.ephemeral_storage, r.ephemeral_storage);
  for (const auto& [n, v] : r.scalars) {
    auto it =
        std::find_if(into.scalars.begin(), into.scalars.end(), [&](const auto& e) { return e.first == n; });
    if (it == into.scalars.end())
      into.scalars.emplace_back(n, v);
    else
      it->second = std::max(it->second, v);
  }
  std::sort(into.scalars.begin(), into.scalars.end());
}

// Scoring treats a container without a cpu / memory request as asking for a little, so
// that empty pods still spread.
constexpr int64_t kDefaultMilliCpu = 100;
constexpr int64_t kDefaultMemory = 200 * 1024 * 1024;

Resources with_defaults(Resources r) {
  if (r.milli_cpu == 0) r.milli_cpu = kDefaultMilliCpu;
  if (r.memory == 0) r.memory = kDefaultMemory;
  return r;
}

// Containers run together; a regular init container runs alone beside the sidecars
// started before it; restartable (sidecar) init containers keep running.
void compute_requests(const json::object& spec, PodInfo& pod) {
  Resources sum, sum_nz, sidecars, sidecars_nz, init_max, init_max_nz;
  if (const auto* cs = array_at(spec, {"containers"}))
    for (const auto& c : *cs) {
      Resources r = container_requests(object_or_empty(c.if_object()));
      if (r.milli_cpu || r.memory || r.ephemeral_storage || !r.scalars.empty()) pod.has_requests = true;
      add_resources(sum, r);
      add_resources(sum_nz, with_defaults(r));
    }
  if (const auto* inits = array_at(spec, {"initContainers"}))
    for (const auto& c : *inits) {
      const json::object& co = object_or_empty(c.if_object());
      Resources r = container_requests(co);
      if (r.milli_cpu || r.memory || r.ephemeral_storage || !r.scalars.empty()) pod.has_requests = true;
      if (string_at(co, {"restartPolicy"}) == "Always") {
        add_resources(sidecars, r);
        add_resources(sidecars_nz, with_defaults(r));
        max_into(init_max, sidecars);
        max_into(init_max_nz, sidecars_nz);
      } else {
        Resources running = sidecars;
        add_resources(running, r);
        max_into(init_max, running);
        Resources running_nz = sidecars_nz;
        add_resources(running_nz, with_defaults(r));
        max_into(init_max_nz, running_nz);
      }
    }
  add_resources(sum, sidecars);
  add_resources(sum_nz, sidecars_nz);
  max_into(sum, init_max);
  max_into(sum_nz, init_max_nz);
  if (const auto* overhead = object_at(spec, {"overhead"})) {
    Resources o = requests_of(overhead, nullptr);
    add_resources(sum, o);
    add_resources(sum_nz, o);
  }
  pod.requests = std::move(sum);
  pod.non_zero = std::move(sum_nz);
}

}  // namespace

Labels parse_labels(const json::value* labels) {
  return machinery::to_labels(labels ? labels->if_object() : nullptr);
}

LabelSelector parse_label_selector(const json::value* selector) {
  return machinery::selector_from_json_or_nothing(selector ? selector->if_object() : nullptr);
}

std::string normalize_image(std::string_view image) {
  std::string name(image);
  auto at_pos = name.find('@');
  if (at_pos != std::string::npos) return name;  // by digest: compared as written
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) name += ":latest";
  // Docker Hub's short names: "nginx" and "library/nginx" are docker.io/library/nginx.
  auto first_slash = name.find('/');
  std::string first = first_slash == std::string::npos ? std::string() : name.substr(0, first_slash);
  bool has_registry =
      first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost";
  if (first_slash == std::string::npos) return "docker.io/library/" + name;
  if (!has_registry) return "docker.io/" + name;
  return name;
}

PodInfoPtr parse_pod(std::shared_ptr<const json::object> object, const PriorityResolver* priorities) {
  auto pod = std::make_shared<PodInfo>();
  const json::object& root = object_or_empty(object.get());
  const json::object& meta = object_or_empty(object_at(root, {"metadata"}));
  const json::object& spec = object_or_empty(object_at(root, {"spec"}));
  const json::object& status = object_or_empty(object_at(root, {"status"}));
  pod->uid = string_at(meta, {"uid"});
  pod->ns = string_at(meta, {"namespace"});
  pod->name = string_at(meta, {"name"});
  pod->resource_version = string_at(meta, {"resourceVersion"});
  pod->labels = parse_labels(meta.if_contains("labels"));
  pod->terminating = machinery::is_set(meta, "deletionTimestamp");
  if (const json::object* ref = machinery::controller_of(root)) {
    pod->owner_kind = string_at(*ref, {"kind"});
    pod->owner_uid = string_at(*ref, {"uid"});
  }

  pod->node_name = string_at(spec, {"nodeName"});
  pod->scheduler_name = string_at(spec, {"schedulerName"});
  if (pod->scheduler_name.empty()) pod->scheduler_name = "default-scheduler";
  pod->nominated_node = string_at(status, {"nominatedNodeName"});
  std::string phase = string_at(status, {"phase"});
  pod->terminal = phase == "Succeeded" || phase == "Failed";
  pod->preempt_never = string_at(spec, {"preemptionPolicy"}) == "Never";
  if (const auto* gates = array_at(spec, {"schedulingGates"})) pod->gated = !gates->empty();

  if (auto p = int_at(spec, {"priority"})) {
    pod->priority = static_cast<int32_t>(*p);
  } else if (priorities) {
    std::string cls = string_at(spec, {"priorityClassName"});
    std::optional<int32_t> value;
    if (!cls.empty() && priorities->by_name) value = priorities->by_name(cls);
    if (!value && priorities->global_default) value = priorities->global_default();
    pod->priority = value.value_or(0);
  }

  compute_requests(spec, *pod);
  pod->node_selector = parse_labels(spec.if_contains("nodeSelector"));

  const json::object& affinity = object_or_empty(object_at(spec, {"affinity"}));
  if (const json::object* na = object_at(affinity, {"nodeAffinity"})) {
    if (const json::object* req = object_at(*na, {"requiredDuringSchedulingIgnoredDuringExecution"})) {
      pod->node_affinity.has_required = true;
      pod->node_affinity.required = machinery::parse_node_selector(*req);
    }
    if (const auto* pref = array_at(*na, {"preferredDuringSchedulingIgnoredDuringExecution"}))
      for (const auto& p : *pref) {
        const json::object& w = object_or_empty(p.if_object());
        if (auto term = parse_term(object_at(w, {"preference"})))
          pod->node_affinity.preferred.push_back(
              {static_cast<int32_t>(int_at(w, {"weight"}).value_or(0)), std::move(*term)});
      }
  }
  parse_pod_affinity(object_at(affinity, {"podAffinity"}), pod->labels, pod->affinity);
  parse_pod_affinity(object_at(affinity, {"podAntiAffinity"}), pod->labels, pod->anti_affinity);

  pod->tolerations = machinery::parse_tolerations(array_at(spec, {"tolerations"}));

  if (const auto* constraints = array_at(spec, {"topologySpreadConstraints"}))
    for (const auto& c : *constraints) {
      const json::object& o = object_or_empty(c.if_object());
      TopologySpreadConstraint tsc;
      tsc.max_skew = static_cast<int32_t>(int_at(o, {"maxSkew"}).value_or(1));
      tsc.topology_key = string_at(o, {"topologyKey"});
      tsc.hard = string_at(o, {"whenUnsatisfiable"}) != "ScheduleAnyway";
      tsc.selector = parse_label_selector(o.if_contains("labelSelector"));
      add_match_label_keys(tsc.selector, array_at(o, {"matchLabelKeys"}), pod->labels);
      tsc.min_domains = static_cast<int32_t>(int_at(o, {"minDomains"}).value_or(1));
      tsc.honor_node_affinity = string_at(o, {"nodeAffinityPolicy"}) != "Ignore";
      tsc.honor_node_taints = string_at(o, {"nodeTaintsPolicy"}) == "Honor";
      pod->spread.push_back(std::move(tsc));
    }

  auto containers = [&](std::string_view field) {
    if (const auto* cs = array_at(spec, {field}))
      for (const auto& c : *cs) {
        const json::object& co = object_or_empty(c.if_object());
        std::string image = string_at(co, {"image"});
        if (!image.empty()) pod->images.push_back(normalize_image(image));
        if (const auto* ports = array_at(co, {"ports"}))
          for (const auto& p : *ports) {
            const json::object& po = object_or_empty(p.if_object());
            int64_t host_port = int_at(po, {"hostPort"}).value_or(0);
            if (host_port <= 0) continue;
            HostPort hp;
            hp.ip = string_at(po, {"hostIP"});
            hp.protocol = string_at(po, {"protocol"});
            if (hp.protocol.empty()) hp.protocol = "TCP";
            hp.port = static_cast<int32_t>(host_port);
            pod->host_ports.push_back(std::move(hp));
          }
      }
  };
  containers("initContainers");
  containers("containers");

  pod->object = std::move(object);
  return pod;
}

void parse_node(std::shared_ptr<const json::object> object, NodeInfo& node) {
  const json::object& root = object_or_empty(object.get());
  const json::object& meta = object_or_empty(object_at(root, {"metadata"}));
  const json::object& spec = object_or_empty(object_at(root, {"spec"}));
  const json::object& status = object_or_empty(object_at(root, {"status"}));
  node.name = string_at(meta, {"name"});
  node.labels = parse_labels(meta.if_contains("labels"));
  node.unschedulable = machinery::bool_at(spec, {"unschedulable"}).value_or(false);
  node.taints = machinery::parse_taints(array_at(spec, {"taints"}));
  const json::object* alloc = object_at(status, {"allocatable"});
  if (!alloc) alloc = object_at(status, {"capacity"});
  Resources r;
  if (alloc)
    for (const auto& [k, v] : *alloc) {
      std::string_view name = k;
      if (name == "cpu")
        r.milli_cpu = milli_of(v);
      else if (name == "memory")
        r.memory = units_of(v);
      else if (name == "ephemeral-storage")
        r.ephemeral_storage = units_of(v);
      else if (name == "pods")
        r.pods = units_of(v);
      else
        r.scalars.emplace_back(std::string(name), units_of(v));
    }
  std::sort(r.scalars.begin(), r.scalars.end());
  node.allocatable = std::move(r);
  node.images.clear();
  if (const auto* images = array_at(status, {"images"}))
    for (const auto& i : *images) {
      const json::object& o = object_or_empty(i.if_object());
      int64_t size = int_at(o, {"sizeBytes"}).value_or(0);
      if (const auto* names = array_at(o, {"names"}))
        for (const auto& n : *names) node.images.push_back({normalize_image(as_string(n)), size, 0});
    }
  std::sort(node.images.begin(), node.images.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  node.images.erase(std::unique(node.images.begin(), node.images.end(),
                                [](const auto& a, const auto& b) { return a.name == b.name; }),
                    node.images.end());
  node.object = std::move(object);
}

}  // namespace ukube::scheduler
