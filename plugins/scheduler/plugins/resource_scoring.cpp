#include "plugins/resource_scoring.h"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "ukube/scheduler/framework.h"

namespace ukube::scheduler {
namespace {

int64_t get(const Resources& r, const ResourceWeight& w) {
  switch (w.kind) {
    case ResourceWeight::Kind::Cpu: return r.milli_cpu;
    case ResourceWeight::Kind::Memory: return r.memory;
    case ResourceWeight::Kind::EphemeralStorage: return r.ephemeral_storage;
    case ResourceWeight::Kind::Pods: return r.pods;
    case ResourceWeight::Kind::Scalar: return r.scalar(w.name);
  }
  return 0;
}

int64_t least_allocated(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

int64_t most_allocated(int64_t requested, int64_t capacity) {
  if (capacity == 0) return 0;
  if (requested > capacity) requested = capacity;
  return requested * kMaxNodeScore / capacity;
}

// Piecewise-linear through the shape's points, flat beyond the ends.
int64_t shaped(const std::vector<ShapePoint>& shape, int64_t utilization) {
  if (shape.empty()) return 0;
  if (utilization <= shape.front().utilization) return shape.front().score;
  for (size_t i = 1; i < shape.size(); ++i)
    if (utilization <= shape[i].utilization) {
      const auto& a = shape[i - 1];
      const auto& b = shape[i];
      return a.score + (b.score - a.score) * (utilization - a.utilization) / (b.utilization - a.utilization);
    }
  return shape.back().score;
}

}  // namespace

ResourceWeight::ResourceWeight(std::string n, int64_t w) : name(std::move(n)), weight(w) {
  if (name == "cpu")
    kind = Kind::Cpu;
  else if (name == "memory")
    kind = Kind::Memory;
  else if (name == "ephemeral-storage")
    kind = Kind::EphemeralStorage;
  else if (name == "pods")
    kind = Kind::Pods;
}

ScoringStrategy parse_scoring_strategy(const boost::json::value* value) {
  ScoringStrategy s;
  if (!value || value->is_null()) return s;
  if (!value->is_object()) throw std::invalid_argument("scoringStrategy must be a mapping");
  const auto& o = value->get_object();
  for (const auto& [k, v] : o)
    if (k != "type" && k != "resources" && k != "requestedToCapacityRatio")
      throw std::invalid_argument("unknown field scoringStrategy." + std::string(k));
  if (const auto* t = o.if_contains("type")) {
    std::string type = t->is_string() ? std::string(t->get_string()) : "";
    if (type == "LeastAllocated")
      s.type = ScoringStrategy::Type::LeastAllocated;
    else if (type == "MostAllocated")
      s.type = ScoringStrategy::Type::MostAllocated;
    else if (type == "RequestedToCapacityRatio")
      s.type = ScoringStrategy::Type::RequestedToCapacityRatio;
    else
      throw std::invalid_argument("scoringStrategy.type \"" + type +
                                  "\" is not one of LeastAllocated, MostAllocated, RequestedToCapacityRatio");
  }
  if (const auto* rs = o.if_contains("resources"); rs && rs->is_array()) {
    s.resources.clear();
    for (const auto& r : rs->get_array()) {
      const auto& ro = r.as_object();
      ResourceWeight w(std::string(ro.at("name").as_string()));
      if (const auto* weight = ro.if_contains("weight")) w.weight = weight->to_number<int64_t>();
      if (w.weight <= 0 || w.weight > 100)
        throw std::invalid_argument("scoringStrategy.resources weight of " + w.name + " must be 1 to 100");
      s.resources.push_back(std::move(w));
    }
  }
  if (s.type == ScoringStrategy::Type::RequestedToCapacityRatio) {
    const auto* r = o.if_contains("requestedToCapacityRatio");
    const auto* shape = r && r->is_object() ? r->get_object().if_contains("shape") : nullptr;
    if (!shape || !shape->is_array() || shape->get_array().empty())
      throw std::invalid_argument("scoringStrategy.requestedToCapacityRatio.shape needs at least one point");
    for (const auto& p : shape->get_array()) {
      const auto& po = p.as_object();
      ShapePoint sp{po.at("utilization").to_number<int64_t>(), po.at("score").to_number<int64_t>()};
      if (sp.utilization < 0 || sp.utilization > 100 || sp.score < 0 || sp.score > 10)
        throw std::invalid_argument("shape points need utilization 0..100 and score 0..10");
      if (!s.shape.empty() && sp.utilization <= s.shape.back().utilization)
        throw std::invalid_argument("shape utilization values must increase");
      sp.score *= kMaxNodeScore / 10;
      s.shape.push_back(sp);
    }
  }
  return s;
}

int64_t requested_with(const NodeInfo& node, const PodInfo& pod, const ResourceWeight& resource,
                       bool non_zero) {
  bool defaults = non_zero && (resource.kind == ResourceWeight::Kind::Cpu ||
                               resource.kind == ResourceWeight::Kind::Memory);
  return get(defaults ? node.non_zero_requested : node.requested, resource) +
         get(defaults ? pod.non_zero : pod.requests, resource);
}

int64_t allocatable_of(const NodeInfo& node, const ResourceWeight& resource) {
  return get(node.allocatable, resource);
}

int64_t score_node(const ScoringStrategy& strategy, const NodeInfo& node, const PodInfo& pod) {
  int64_t total = 0, weights = 0;
  for (const auto& r : strategy.resources) {
    int64_t capacity = allocatable_of(node, r);
    if (capacity == 0) continue;  // a resource the node does not have does not count
    int64_t requested = requested_with(node, pod, r, true);
    int64_t s = 0;
    switch (strategy.type) {
      case ScoringStrategy::Type::LeastAllocated: s = least_allocated(requested, capacity); break;
      case ScoringStrategy::Type::MostAllocated: s = most_allocated(requested, capacity); break;
      case ScoringStrategy::Type::RequestedToCapacityRatio:
        s = shaped(strategy.shape, std::min<int64_t>(100, requested * 100 / capacity));
        break;
    }
    total += s * r.weight;
    weights += r.weight;
  }
  return weights == 0 ? 0 : total / weights;
}

}  // namespace ukube::scheduler
