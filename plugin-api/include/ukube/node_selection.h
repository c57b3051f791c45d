#pragma once

#include <string>
#include <vector>

#include "ukube/labels.h"

// What decides whether a pod may run on a node, parsed: taints, tolerations and node
// selector terms. The vocabulary the scheduler, the DaemonSet controller and the
// kubelet's admission share; parsing and matching live in sdk/machinery
// (ukube/machinery/taints.h, ukube/machinery/node_affinity.h).
namespace ukube {

// Unknown: an effect string no one defined (validation refuses it); it matches only
// another unknown effect. All: a toleration's empty effect, which matches every effect.
enum class TaintEffect { NoSchedule, PreferNoSchedule, NoExecute, All, Unknown };

// Unsupported: an operator no one defined, or Gt / Lt (upstream's alpha comparison
// operators, off by default); such a toleration tolerates nothing.
enum class TolerationOp { Equal, Exists, Unsupported };

struct Toleration {
  std::string key;  // empty with Exists: every key
  TolerationOp op = TolerationOp::Equal;
  std::string value;
  TaintEffect effect = TaintEffect::All;
  bool operator==(const Toleration&) const = default;
};

struct Taint {
  std::string key;
  std::string value;
  TaintEffect effect = TaintEffect::NoSchedule;
  bool operator==(const Taint&) const = default;
};

// A core/v1 NodeSelectorTerm that parsed: its label expressions and its field
// requirements (In / NotIn of one value each) all hold. A term that is empty or does not
// parse matches nothing, so it is never kept as one of these.
struct NodeSelectorTerm {
  std::vector<Requirement> expressions;
  std::vector<Requirement> fields;
  bool operator==(const NodeSelectorTerm&) const = default;
};

}  // namespace ukube
