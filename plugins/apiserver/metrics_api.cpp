#include "metrics_api.h"

#include <boost/json.hpp>
#include <map>

#include "route.h"
#include "ukube/errors.h"
#include "ukube/machinery/identities.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/quantity.h"
#include "ukube/machinery/time.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;
using machinery::string_at;
using machinery::value_at;

std::optional<uint64_t> unsigned_at(const json::object& o, machinery::JsonPath path) {
  const json::value* v = value_at(o, path);
  if (!v) return std::nullopt;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  if (v->is_double() && v->as_double() >= 0) return static_cast<uint64_t>(v->as_double());
  return std::nullopt;
}

json::object parse_object(const std::string& text) {
  json::value v = json::parse(text);
  if (!v.is_object()) throw std::runtime_error("not a JSON object");
  return std::move(v.as_object());
}

// metadata as metrics-server writes it: the object's name, namespace and labels.
json::object metrics_metadata(const json::object& object, const std::string& now) {
  json::object meta{{"name", string_at(object, {"metadata", "name"})}};
  const std::string ns = string_at(object, {"metadata", "namespace"});
  if (!ns.empty()) meta["namespace"] = ns;
  meta["creationTimestamp"] = now;
  if (const auto* labels = machinery::object_at(object, {"metadata", "labels"}); labels && !labels->empty())
    meta["labels"] = *labels;
  return meta;
}

// {"cpu": ..., "memory": ...} of a summary's cpu and memory stats; null without a rate.
std::optional<json::object> usage_of(const json::object& stats) {
  auto cpu = unsigned_at(stats, {"cpu", "usageNanoCores"});
  auto memory = unsigned_at(stats, {"memory", "workingSetBytes"});
  if (!cpu || !memory) return std::nullopt;
  return json::object{{"cpu", cpu_quantity(*cpu)}, {"memory", memory_quantity(*memory)}};
}

HttpResponse json_response(const json::object& body) {
  HttpResponse r;
  r.body.append(json::serialize(body));
  return r;
}

json::object list_of(const char* kind, json::array items) {
  return {{"kind", kind},
          {"apiVersion", std::string(kMetricsGroup) + "/" + kMetricsVersion},
          {"metadata", json::object{}},
          {"items", std::move(items)}};
}

json::object with_type(const char* kind, json::object item) {
  json::object out{{"kind", kind}, {"apiVersion", std::string(kMetricsGroup) + "/" + kMetricsVersion}};
  for (auto& [k, v] : item) out[k] = std::move(v);
  return out;
}

std::vector<json::object> list_objects(RequestPipeline& pipeline, const char* plural, const std::string& ns,
                                       const MetricsSelection& selection) {
  ListOptions options;
  options.label_selector = selection.labels;
  options.field_selector = selection.fields;
  RawList list = pipeline.list(machinery::apiserver_identity(), {"", "v1", plural}, ns, options);
  std::vector<json::object> out;
  for (const auto& bytes : list.items) out.push_back(parse_object(*bytes));
  return out;
}

TypeInfoPtr metrics_type(const char* kind, const char* plural, bool namespaced) {
  TypeInfo t;
  t.group = kMetricsGroup;
  t.version = kMetricsVersion;
  t.kind = kind;
  t.list_kind = std::string(kind) + "List";
  t.plural = plural;
  t.namespaced = namespaced;
  t.verbs = {"get", "list"};
  return std::make_shared<const TypeInfo>(std::move(t));
}

// Nothing to show because kubelets could not be asked: say so, rather than an empty answer
// that kubectl reports as "metrics not available yet".
ApiError unreachable(const std::string& failure) {
  return ApiError(
      503, "ServiceUnavailable",
      "cannot read usage from the kubelets: " + failure +
          "; check that the kubelet runs and that its HTTPS port is reachable from the API server");
}

}  // namespace

std::string cpu_quantity(uint64_t nano_cores) {
  // Parsed from its nano form so the canonical text is upstream's: 250000000n is "250m".
  auto q = machinery::Quantity::parse(std::to_string(nano_cores) + "n");
  return q ? q->to_string() : std::to_string(nano_cores) + "n";
}

std::string memory_quantity(uint64_t bytes) {
  return machinery::Quantity::of(static_cast<int64_t>(bytes), machinery::QuantityFormat::BinarySI)
      .to_string();
}

std::optional<json::object> node_metrics(const json::object& summary, const json::object& node,
                                         const std::string& now) {
  const json::object* stats = machinery::object_at(summary, {"node"});
  if (!stats) return std::nullopt;
  auto usage = usage_of(*stats);
  if (!usage) return std::nullopt;
  return json::object{{"metadata", metrics_metadata(node, now)},
                      {"timestamp", string_at(*stats, {"cpu", "time"})},
                      {"window", kMetricsWindow},
                      {"usage", std::move(*usage)}};
}

std::optional<json::object> pod_metrics(const json::object& summary, const json::object& pod,
                                        const std::string& now) {
  const std::string ns = string_at(pod, {"metadata", "namespace"});
  const std::string name = string_at(pod, {"metadata", "name"});
  const std::string uid = machinery::uid_of(pod);
  const json::object* found = nullptr;
  machinery::for_each_object(machinery::array_at(summary, {"pods"}), [&](const json::object& p, size_t) {
    if (string_at(p, {"podRef", "namespace"}) == ns && string_at(p, {"podRef", "name"}) == name &&
        string_at(p, {"podRef", "uid"}) == uid)
      found = &p;
  });
  if (!found) return std::nullopt;
  json::array containers;
  bool complete = true;
  std::string timestamp;
  machinery::for_each_object(machinery::array_at(*found, {"containers"}), [&](const json::object& c, size_t) {
    auto usage = usage_of(c);
    if (!usage) {
      complete = false;
      return;
    }
    timestamp = std::max(timestamp, string_at(c, {"cpu", "time"}));
    containers.push_back(json::object{{"name", string_at(c, {"name"})}, {"usage", std::move(*usage)}});
  });
  if (!complete || containers.empty()) return std::nullopt;
  return json::object{{"metadata", metrics_metadata(pod, now)},
                      {"timestamp", timestamp},
                      {"window", kMetricsWindow},
                      {"containers", std::move(containers)}};
}

bool MetricsApi::handles(const Route& route) {
  return route.kind == RouteKind::Resource && route.group == kMetricsGroup;
}

const std::vector<TypeInfoPtr>& MetricsApi::types() {
  static const std::vector<TypeInfoPtr> types = {metrics_type("NodeMetrics", "nodes", false),
                                                 metrics_type("PodMetrics", "pods", true)};
  return types;
}

HttpResponse MetricsApi::serve(const ResourceCall& call) {
  const Route& route = call.route;
  const bool nodes = route.resource == "nodes";
  if (route.version != kMetricsVersion || (!nodes && route.resource != "pods") ||
      !route.subresource.empty() || (nodes && !route.namespace_.empty()))
    throw ApiError::resource_not_found();
  if (call.request.method != "GET" || call.watch)
    throw ApiError::method_not_allowed(
        "metrics.k8s.io serves get and list only: usage is read from the kubelets on each request, "
        "so there is nothing to write or watch");
  RequestAttributes attributes;
  attributes.user = call.user;
  attributes.verb = route.name.empty() ? "list" : "get";
  attributes.api_group = kMetricsGroup;
  attributes.api_version = kMetricsVersion;
  attributes.resource = route.resource;
  attributes.namespace_ = route.namespace_;
  attributes.name = route.name;
  auth_.authorize(attributes);
  const Selection selection{call.query.get("labelSelector"), call.query.get("fieldSelector")};
  if (nodes) return answer(call, node_items(route.name, selection), "NodeMetrics");
  return answer(call, pod_items(route.namespace_, route.name, selection), "PodMetrics");
}

std::optional<json::object> MetricsApi::summary_of(const json::object& node, std::string& failure) {
  const std::string name = string_at(node, {"metadata", "name"});
  try {
    const KubeletEndpoint endpoint = kubelet_endpoint(node);
    // `node` picks the node when simulated nodes share one kubelet server; others ignore it.
    return parse_object(fetch_(name, endpoint, "/stats/summary?only_cpu_and_memory=true&node=" + name));
  } catch (const std::exception& e) {
    // As metrics-server: a node that cannot be scraped has no metrics, the others still do.
    if (failure.empty()) failure = e.what();
    return std::nullopt;
  }
}

std::vector<json::object> MetricsApi::node_items(const std::string& name, const Selection& selection) {
  const UserInfo system = machinery::apiserver_identity();
  const std::string now = machinery::now_rfc3339();
  const auto gr = std::string("nodemetrics.") + kMetricsGroup;
  std::vector<json::object> items;
  if (!name.empty()) {
    json::object node;
    try {
      node = parse_object(*pipeline_.get(system, {"", "v1", "nodes"}, "", name, {}));
    } catch (const ApiError& e) {
      if (e.code() == 404) throw ApiError::not_found(gr, name);
      throw;
    }
    std::string failure;
    auto summary = summary_of(node, failure);
    if (!summary) throw unreachable(failure);
    auto metrics = node_metrics(*summary, node, now);
    if (!metrics) throw ApiError::not_found(gr, name);
    items.push_back(std::move(*metrics));
    return items;
  }
  std::string failure;
  for (const auto& node : list_objects(pipeline_, "nodes", "", selection))
    if (auto summary = summary_of(node, failure))
      if (auto metrics = node_metrics(*summary, node, now)) items.push_back(std::move(*metrics));
  if (items.empty() && !failure.empty()) throw unreachable(failure);
  return items;
}

std::vector<json::object> MetricsApi::pod_items(const std::string& ns, const std::string& name,
                                                const Selection& selection) {
  const UserInfo system = machinery::apiserver_identity();
  const std::string now = machinery::now_rfc3339();
  const auto gr = std::string("podmetrics.") + kMetricsGroup;
  std::vector<json::object> pods;
  if (!name.empty()) {
    try {
      pods.push_back(parse_object(*pipeline_.get(system, {"", "v1", "pods"}, ns, name, {})));
    } catch (const ApiError& e) {
      if (e.code() == 404) throw ApiError::not_found(gr, ns + "/" + name);
      throw;
    }
  } else {
    pods = list_objects(pipeline_, "pods", ns, selection);
  }
  // One summary per node, however many of its pods are asked for.
  std::map<std::string, std::optional<json::object>> summaries;
  std::vector<json::object> items;
  std::string failure;
  for (const auto& pod : pods) {
    const std::string node_name = string_at(pod, {"spec", "nodeName"});
    if (node_name.empty()) continue;
    auto [it, fresh] = summaries.try_emplace(node_name);
    if (fresh) {
      try {
        it->second =
            summary_of(parse_object(*pipeline_.get(system, {"", "v1", "nodes"}, "", node_name, {})), failure);
      } catch (const ApiError&) {
        // The node is gone: its pods have no metrics.
      }
    }
    if (!it->second) continue;
    if (auto metrics = pod_metrics(*it->second, pod, now)) items.push_back(std::move(*metrics));
  }
  if (items.empty() && !failure.empty()) throw unreachable(failure);
  if (!name.empty() && items.empty()) throw ApiError::not_found(gr, ns + "/" + name);
  return items;
}

std::vector<TypeInfo> MetricsApi::registered_types() {
  std::vector<TypeInfo> out;
  for (const auto& type : types()) {
    TypeInfo t = *type;
    const bool nodes = t.plural == "nodes";
    t.computed_read = [this, nodes, kind = t.kind](const ComputedRead& read) {
      const Selection selection{std::string(read.label_selector), std::string(read.field_selector)};
      std::vector<json::object> items =
          nodes ? node_items(std::string(read.name), selection)
                : pod_items(std::string(read.namespace_), std::string(read.name), selection);
      for (auto& item : items) item = with_type(kind.c_str(), std::move(item));
      return items;
    };
    out.push_back(std::move(t));
  }
  return out;
}

HttpResponse MetricsApi::answer(const ResourceCall& call, std::vector<json::object> items, const char* kind) {
  if (!call.route.name.empty()) return json_response(with_type(kind, std::move(items.front())));
  json::array list;
  for (auto& item : items) list.push_back(std::move(item));
  return json_response(list_of((std::string(kind) + "List").c_str(), std::move(list)));
}

}  // namespace ukube::apiserver
