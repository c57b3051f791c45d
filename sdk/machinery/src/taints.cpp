#include "ukube/machinery/taints.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::machinery {

TaintEffect parse_taint_effect(std::string_view effect) {
  if (effect.empty()) return TaintEffect::All;
  if (effect == "NoSchedule") return TaintEffect::NoSchedule;
  if (effect == "PreferNoSchedule") return TaintEffect::PreferNoSchedule;
  if (effect == "NoExecute") return TaintEffect::NoExecute;
  return TaintEffect::Unknown;
}

const char* to_string(TaintEffect effect) {
  switch (effect) {
    case TaintEffect::NoSchedule: return "NoSchedule";
    case TaintEffect::PreferNoSchedule: return "PreferNoSchedule";
    case TaintEffect::NoExecute: return "NoExecute";
    case TaintEffect::All:
    case TaintEffect::Unknown: return "";
  }
  return "";
}

Taint parse_taint(const boost::json::object& taint) {
  TaintEffect effect = parse_taint_effect(string_at(taint, {"effect"}));
  // A taint always has an effect; a missing one matches only an effect-less toleration.
  if (effect == TaintEffect::All) effect = TaintEffect::Unknown;
  return {string_at(taint, {"key"}), string_at(taint, {"value"}), effect};
}

Toleration parse_toleration(const boost::json::object& toleration) {
  const std::string op = string_at(toleration, {"operator"});
  Toleration t;
  t.key = string_at(toleration, {"key"});
  t.op = op.empty() || op == "Equal" ? TolerationOp::Equal
         : op == "Exists"            ? TolerationOp::Exists
                                     : TolerationOp::Unsupported;
  t.value = string_at(toleration, {"value"});
  t.effect = parse_taint_effect(string_at(toleration, {"effect"}));
  return t;
}

std::vector<Taint> parse_taints(const boost::json::array* taints) {
  std::vector<Taint> out;
  for_each_object(taints, [&](const boost::json::object& t, size_t) { out.push_back(parse_taint(t)); });
  return out;
}

std::vector<Toleration> parse_tolerations(const boost::json::array* tolerations) {
  std::vector<Toleration> out;
  for_each_object(tolerations,
                  [&](const boost::json::object& t, size_t) { out.push_back(parse_toleration(t)); });
  return out;
}

std::string to_string(const Taint& taint) {
  const std::string effect = to_string(taint.effect);
  if (effect.empty()) return taint.value.empty() ? taint.key : taint.key + "=" + taint.value + ":";
  if (taint.value.empty()) return taint.key + ":" + effect;
  return taint.key + "=" + taint.value + ":" + effect;
}

bool tolerates(const boost::json::object& toleration, const boost::json::object& taint) {
  return tolerates(parse_toleration(toleration), parse_taint(taint));
}

bool tolerates(const boost::json::array* tolerations, const boost::json::object& taint) {
  return tolerates(parse_tolerations(tolerations), parse_taint(taint));
}

}  // namespace ukube::machinery
