#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/labels.h"
#include "ukube/node_selection.h"

// A pod as the scheduler's plugins see it: parsed once when the pod enters the cache,
// never JSON per node per cycle. Everything here is read-only to plugins.
namespace ukube::scheduler {

using ukube::Labels;
using ukube::LabelSelector;
using ukube::NodeSelectorTerm;
using ukube::Requirement;
using ukube::SelectorOp;
using ukube::Taint;
using ukube::TaintEffect;
using ukube::Toleration;
using ukube::TolerationOp;

struct PreferredTerm {
  int32_t weight = 0;
  NodeSelectorTerm term;
};

struct NodeAffinity {
  // Required terms are ORed; `has_required` distinguishes "no terms" (or none that
  // parse: nothing matches) from "absent" (everything does).
  bool has_required = false;
  std::vector<NodeSelectorTerm> required;
  std::vector<PreferredTerm> preferred;
};

struct PodAffinityTerm {
  LabelSelector selector;
  // Namespaces the term looks at; empty and no namespace selector: the pod's own.
  std::vector<std::string> namespaces;
  std::optional<LabelSelector> namespace_selector;
  std::string topology_key;
  int32_t weight = 0;  // preferred terms only
};

struct PodAffinity {
  std::vector<PodAffinityTerm> required;
  std::vector<PodAffinityTerm> preferred;
};

struct TopologySpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  bool hard = true;  // whenUnsatisfiable DoNotSchedule
  LabelSelector selector;
  int32_t min_domains = 1;
  bool honor_node_affinity = true;  // nodeAffinityPolicy Honor (the default)
  bool honor_node_taints = false;   // nodeTaintsPolicy Honor (default Ignore)
};

struct HostPort {
  std::string ip;  // "" or 0.0.0.0: every address
  std::string protocol = "TCP";
  int32_t port = 0;
};

// Amounts in the units the scheduler compares: millicores, bytes, counts.
struct Resources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t pods = 0;
  std::vector<std::pair<std::string, int64_t>> scalars;  // extended resources, sorted

  int64_t scalar(std::string_view name) const {
    for (const auto& [n, v] : scalars)
      if (n == name) return v;
    return 0;
  }
};

struct PodInfo {
  std::string uid;
  std::string ns;
  std::string name;
  std::string resource_version;
  Labels labels;
  std::string node_name;       // spec.nodeName: bound (or being bound)
  std::string scheduler_name;  // default-scheduler when unset
  std::string nominated_node;  // status.nominatedNodeName
  int32_t priority = 0;
  bool preempt_never = false;  // preemptionPolicy Never
  bool terminating = false;    // deletionTimestamp set
  bool terminal = false;       // phase Succeeded or Failed
  bool gated = false;          // schedulingGates present

  Resources requests;         // max(sum of containers, any init container) + overhead
  Resources non_zero;         // the same with upstream's defaults for unset cpu / memory
  bool has_requests = false;  // any container asked for any resource

  Labels node_selector;
  NodeAffinity node_affinity;
  PodAffinity affinity;
  PodAffinity anti_affinity;
  std::vector<Toleration> tolerations;
  std::vector<TopologySpreadConstraint> spread;
  std::vector<HostPort> host_ports;
  std::vector<std::string> images;  // normalized: repo:tag, tag defaulting to latest

  std::string owner_kind;  // the controller owner reference, if any
  std::string owner_uid;

  // The raw object, for plugins that need a field not parsed here.
  std::shared_ptr<const boost::json::object> object;

  std::string key() const { return ns + "/" + name; }
};

using PodInfoPtr = std::shared_ptr<const PodInfo>;

}  // namespace ukube::scheduler
