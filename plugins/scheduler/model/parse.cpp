#include "model/parse.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/quantity.h"

namespace ukube::scheduler {
namespace json = boost::json;
namespace {

const json::object* obj(const json::value* v) {
  return v && v->is_object() ? &v->get_object() : nullptr;
}
const json::array* arr(const json::value* v) {
  return v && v->is_array() ? &v->get_array() : nullptr;
}
std::string str(const json::value* v) {
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
const json::object* obj_at(const json::object* o, std::string_view key) {
  return o ? obj(o->if_contains(key)) : nullptr;
}
const json::array* arr_at(const json::object* o, std::string_view key) {
  return o ? arr(o->if_contains(key)) : nullptr;
}
std::string str_at(const json::object* o, std::string_view key) {
  return o ? str(o->if_contains(key)) : std::string();
}
std::optional<int64_t> int_at(const json::object* o, std::string_view key) {
  const json::value* v = o ? o->if_contains(key) : nullptr;
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return std::nullopt;
}
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

SelectorOp parse_op(std::string_view op) {
  if (op == "NotIn") return SelectorOp::NotIn;
  if (op == "Exists") return SelectorOp::Exists;
  if (op == "DoesNotExist") return SelectorOp::DoesNotExist;
  if (op == "Gt") return SelectorOp::Gt;
  if (op == "Lt") return SelectorOp::Lt;
  return SelectorOp::In;
}

std::vector<Requirement> parse_requirements(const json::array* items) {
  std::vector<Requirement> out;
  if (!items) return out;
  for (const auto& item : *items) {
    const json::object* r = obj(&item);
    if (!r) continue;
    Requirement req;
    req.key = str_at(r, "key");
    req.op = parse_op(str_at(r, "operator"));
    if (const auto* values = arr_at(r, "values"))
      for (const auto& v : *values) req.values.push_back(str(&v));
    out.push_back(std::move(req));
  }
  return out;
}

NodeSelectorTerm parse_term(const json::object* t) {
  NodeSelectorTerm term;
  term.expressions = parse_requirements(arr_at(t, "matchExpressions"));
  term.fields = parse_requirements(arr_at(t, "matchFields"));
  return term;
}

// Extends a selector with matchLabelKeys: the incoming pod's own values for those keys.
void add_match_label_keys(LabelSelector& selector, const json::array* keys, const Labels& pod_labels) {
  if (!keys) return;
  for (const auto& k : *keys) {
    std::string key = str(&k);
    if (const std::string* v = pod_labels.find(key))
      selector.requirements.push_back({key, SelectorOp::In, {*v}});
  }
}

PodAffinityTerm parse_affinity_term(const json::object* t, const Labels& pod_labels) {
  PodAffinityTerm term;
  term.selector = parse_label_selector(t ? t->if_contains("labelSelector") : nullptr);
  if (const auto* ns = arr_at(t, "namespaces"))
    for (const auto& n : *ns) term.namespaces.push_back(str(&n));
  if (t && t->if_contains("namespaceSelector") && !t->at("namespaceSelector").is_null())
    term.namespace_selector = parse_label_selector(t->if_contains("namespaceSelector"));
  term.topology_key = str_at(t, "topologyKey");
  add_match_label_keys(term.selector, arr_at(t, "matchLabelKeys"), pod_labels);
  if (const auto* keys = arr_at(t, "mismatchLabelKeys"))
    for (const auto& k : *keys) {
      std::string key = str(&k);
      if (const std::string* v = pod_labels.find(key))
        term.selector.requirements.push_back({key, SelectorOp::NotIn, {*v}});
    }
  return term;
}

void parse_pod_affinity(const json::object* a, const Labels& labels, PodAffinity& out) {
  if (!a) return;
  if (const auto* req = arr_at(a, "requiredDuringSchedulingIgnoredDuringExecution"))
    for (const auto& t : *req) out.required.push_back(parse_affinity_term(obj(&t), labels));
  if (const auto* pref = arr_at(a, "preferredDuringSchedulingIgnoredDuringExecution"))
    for (const auto& p : *pref) {
      const json::object* w = obj(&p);
      PodAffinityTerm term = parse_affinity_term(obj_at(w, "podAffinityTerm"), labels);
      term.weight = static_cast<int32_t>(int_at(w, "weight").value_or(0));
      out.preferred.push_back(std::move(term));
    }
}

TaintEffect parse_effect(std::string_view e) {
  if (e == "NoSchedule") return TaintEffect::NoSchedule;
  if (e == "PreferNoSchedule") return TaintEffect::PreferNoSchedule;
  if (e == "NoExecute") return TaintEffect::NoExecute;
  return TaintEffect::All;
}

// One container's requests (limits stand in for missing requests, as API defaulting does).
Resources container_requests(const json::object* c) {
  Resources r;
  const json::object* res = obj_at(c, "resources");
  const json::object* req = obj_at(res, "requests");
  const json::object* lim = obj_at(res, "limits");
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

void add_to(Resources& into, const Resources& r) {
  into.milli_cpu += r.milli_cpu;
  into.memory += r.memory;
  into.ephemeral_storage += r.ephemeral_storage;
  for (const auto& [n, v] : r.scalars) {
    auto it =
        std::find_if(into.scalars.begin(), into.scalars.end(), [&](const auto& e) { return e.first == n; });
    if (it == into.scalars.end())
      into.scalars.emplace_back(n, v);
    else
      it->second += v;
  }
  std::sort(into.scalars.begin(), into.scalars.end());
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
void compute_requests(const json::object* spec, PodInfo& pod) {
  Resources sum, sum_nz, sidecars, sidecars_nz, init_max, init_max_nz;
  if (const auto* cs = arr_at(spec, "containers"))
    for (const auto& c : *cs) {
      Resources r = container_requests(obj(&c));
      if (r.milli_cpu || r.memory || r.ephemeral_storage || !r.scalars.empty()) pod.has_requests = true;
      add_to(sum, r);
      add_to(sum_nz, with_defaults(r));
    }
  if (const auto* inits = arr_at(spec, "initContainers"))
    for (const auto& c : *inits) {
      const json::object* co = obj(&c);
      Resources r = container_requests(co);
      if (r.milli_cpu || r.memory || r.ephemeral_storage || !r.scalars.empty()) pod.has_requests = true;
      if (str_at(co, "restartPolicy") == "Always") {
        add_to(sidecars, r);
        add_to(sidecars_nz, with_defaults(r));
        max_into(init_max, sidecars);
        max_into(init_max_nz, sidecars_nz);
      } else {
        Resources running = sidecars;
        add_to(running, r);
        max_into(init_max, running);
        Resources running_nz = sidecars_nz;
        add_to(running_nz, with_defaults(r));
        max_into(init_max_nz, running_nz);
      }
    }
  add_to(sum, sidecars);
  add_to(sum_nz, sidecars_nz);
  max_into(sum, init_max);
  max_into(sum_nz, init_max_nz);
  if (const auto* overhead = obj_at(spec, "overhead")) {
    json::object holder{{"resources", json::object{{"requests", *overhead}}}};
    Resources o = container_requests(&holder);
    add_to(sum, o);
    add_to(sum_nz, o);
  }
  pod.requests = std::move(sum);
  pod.non_zero = std::move(sum_nz);
}

}  // namespace

Labels parse_labels(const json::value* labels) {
  return machinery::to_labels(obj(labels));
}

LabelSelector parse_label_selector(const json::value* selector) {
  return machinery::selector_from_json_or_nothing(obj(selector));
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
  const json::object* meta = obj_at(object.get(), "metadata");
  const json::object* spec = obj_at(object.get(), "spec");
  const json::object* status = obj_at(object.get(), "status");
  pod->uid = str_at(meta, "uid");
  pod->ns = str_at(meta, "namespace");
  pod->name = str_at(meta, "name");
  pod->resource_version = str_at(meta, "resourceVersion");
  pod->labels = parse_labels(meta ? meta->if_contains("labels") : nullptr);
  pod->terminating =
      meta && meta->if_contains("deletionTimestamp") && !meta->at("deletionTimestamp").is_null();
  if (const json::object* ref = object ? machinery::controller_of(*object) : nullptr) {
    pod->owner_kind = str_at(ref, "kind");
    pod->owner_uid = str_at(ref, "uid");
  }

  pod->node_name = str_at(spec, "nodeName");
  pod->scheduler_name = str_at(spec, "schedulerName");
  if (pod->scheduler_name.empty()) pod->scheduler_name = "default-scheduler";
  pod->nominated_node = str_at(status, "nominatedNodeName");
  std::string phase = str_at(status, "phase");
  pod->terminal = phase == "Succeeded" || phase == "Failed";
  pod->preempt_never = str_at(spec, "preemptionPolicy") == "Never";
  if (const auto* gates = arr_at(spec, "schedulingGates")) pod->gated = !gates->empty();

  if (auto p = int_at(spec, "priority")) {
    pod->priority = static_cast<int32_t>(*p);
  } else if (priorities) {
    std::string cls = str_at(spec, "priorityClassName");
    std::optional<int32_t> value;
    if (!cls.empty() && priorities->by_name) value = priorities->by_name(cls);
    if (!value && priorities->global_default) value = priorities->global_default();
    pod->priority = value.value_or(0);
  }

  compute_requests(spec, *pod);
  pod->node_selector = parse_labels(spec ? spec->if_contains("nodeSelector") : nullptr);

  const json::object* affinity = obj_at(spec, "affinity");
  if (const json::object* na = obj_at(affinity, "nodeAffinity")) {
    if (const json::object* req = obj_at(na, "requiredDuringSchedulingIgnoredDuringExecution")) {
      pod->node_affinity.has_required = true;
      if (const auto* terms = arr_at(req, "nodeSelectorTerms"))
        for (const auto& t : *terms) pod->node_affinity.required.push_back(parse_term(obj(&t)));
    }
    if (const auto* pref = arr_at(na, "preferredDuringSchedulingIgnoredDuringExecution"))
      for (const auto& p : *pref) {
        const json::object* w = obj(&p);
        pod->node_affinity.preferred.push_back(
            {static_cast<int32_t>(int_at(w, "weight").value_or(0)), parse_term(obj_at(w, "preference"))});
      }
  }
  parse_pod_affinity(obj_at(affinity, "podAffinity"), pod->labels, pod->affinity);
  parse_pod_affinity(obj_at(affinity, "podAntiAffinity"), pod->labels, pod->anti_affinity);

  if (const auto* tols = arr_at(spec, "tolerations"))
    for (const auto& t : *tols) {
      const json::object* o = obj(&t);
      Toleration tol;
      tol.key = str_at(o, "key");
      tol.exists = str_at(o, "operator") == "Exists";
      tol.value = str_at(o, "value");
      tol.effect = parse_effect(str_at(o, "effect"));
      pod->tolerations.push_back(std::move(tol));
    }

  if (const auto* constraints = arr_at(spec, "topologySpreadConstraints"))
    for (const auto& c : *constraints) {
      const json::object* o = obj(&c);
      TopologySpreadConstraint tsc;
      tsc.max_skew = static_cast<int32_t>(int_at(o, "maxSkew").value_or(1));
      tsc.topology_key = str_at(o, "topologyKey");
      tsc.hard = str_at(o, "whenUnsatisfiable") != "ScheduleAnyway";
      tsc.selector = parse_label_selector(o ? o->if_contains("labelSelector") : nullptr);
      add_match_label_keys(tsc.selector, arr_at(o, "matchLabelKeys"), pod->labels);
      tsc.min_domains = static_cast<int32_t>(int_at(o, "minDomains").value_or(1));
      tsc.honor_node_affinity = str_at(o, "nodeAffinityPolicy") != "Ignore";
      tsc.honor_node_taints = str_at(o, "nodeTaintsPolicy") == "Honor";
      pod->spread.push_back(std::move(tsc));
    }

  auto containers = [&](const char* field) {
    if (const auto* cs = arr_at(spec, field))
      for (const auto& c : *cs) {
        const json::object* co = obj(&c);
        std::string image = str_at(co, "image");
        if (!image.empty()) pod->images.push_back(normalize_image(image));
        if (const auto* ports = arr_at(co, "ports"))
          for (const auto& p : *ports) {
            const json::object* po = obj(&p);
            int64_t host_port = int_at(po, "hostPort").value_or(0);
            if (host_port <= 0) continue;
            HostPort hp;
            hp.ip = str_at(po, "hostIP");
            hp.protocol = str_at(po, "protocol");
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
  const json::object* meta = obj_at(object.get(), "metadata");
  const json::object* spec = obj_at(object.get(), "spec");
  const json::object* status = obj_at(object.get(), "status");
  node.name = str_at(meta, "name");
  node.labels = parse_labels(meta ? meta->if_contains("labels") : nullptr);
  node.unschedulable = spec && spec->if_contains("unschedulable") && spec->at("unschedulable").is_bool() &&
                       spec->at("unschedulable").get_bool();
  node.taints.clear();
  if (const auto* taints = arr_at(spec, "taints"))
    for (const auto& t : *taints) {
      const json::object* o = obj(&t);
      node.taints.push_back({str_at(o, "key"), str_at(o, "value"), parse_effect(str_at(o, "effect"))});
    }
  const json::object* alloc = obj_at(status, "allocatable");
  if (!alloc) alloc = obj_at(status, "capacity");
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
  if (const auto* images = arr_at(status, "images"))
    for (const auto& i : *images) {
      const json::object* o = obj(&i);
      int64_t size = int_at(o, "sizeBytes").value_or(0);
      if (const auto* names = arr_at(o, "names"))
        for (const auto& n : *names) node.images.push_back({normalize_image(str(&n)), size, 0});
    }
  std::sort(node.images.begin(), node.images.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  node.images.erase(std::unique(node.images.begin(), node.images.end(),
                                [](const auto& a, const auto& b) { return a.name == b.name; }),
                    node.images.end());
  node.object = std::move(object);
}

}  // namespace ukube::scheduler
