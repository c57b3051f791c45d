#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ukube/admission/plugin_support.h"
#include "ukube/auth.h"
#include "ukube/types.h"

// What upstream's quota evaluators (pkg/quota/v1/evaluator/core and generic) know about
// each resource: which quota resource names it is charged to, how much one object uses,
// which quota scopes it falls under and which requests a quota makes mandatory.
//  - pods: pods, count/pods, cpu, memory, ephemeral-storage, requests.* and limits.* of
//    those, hugepages-* and extended requests.<name>; compute usage only while the pod is
//    not terminal; scopes Terminating, NotTerminating, BestEffort, NotBestEffort,
//    PriorityClass, CrossNamespacePodAffinity.
//  - services: services, count/services, services.nodeports, services.loadbalancers.
//  - persistentvolumeclaims: persistentvolumeclaims, count/persistentvolumeclaims,
//    requests.storage, and both per storage class (<class>.storageclass.storage.k8s.io/...).
//  - configmaps, secrets, replicationcontrollers, resourcequotas: <plural> and count/<plural>.
//  - any other resource: count/<plural>.<group> (count/<plural> in the core group).
namespace ukube::admission {

struct ScopeRequirement {
  std::string scope;  // Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, ...
  std::string op;     // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};

// spec.scopes (as Exists) and spec.scopeSelector.matchExpressions of a quota.
std::vector<ScopeRequirement> quota_scopes(const json::object& quota);

class QuotaEvaluator {
 public:
  virtual ~QuotaEvaluator();
  // Whether admission charges this operation (creates; updates too for some).
  virtual bool handles(AdmissionOperation op) const { return op == AdmissionOperation::Create; }
  // Which of `names` this resource is charged to.
  virtual ResourceNames matching(const ResourceNames& names) const = 0;
  virtual ResourceList usage(const json::object& object) const = 0;
  virtual bool matches_scope(const ScopeRequirement& scope, const json::object& object) const {
    return false;
  }
  // Upstream's Constraints: an error text ("must specify ...") or empty.
  virtual std::string constraints(const ResourceNames& required, const json::object& object) const {
    return {};
  }

  // Whether the quota (by its status.hard) tracks this object: some resource matches and
  // every scope does.
  bool matches(const json::object& quota, const json::object& object) const;
};

// The evaluator for a type; upstream's object count evaluator for types it has none for.
std::shared_ptr<const QuotaEvaluator> evaluator_for(const TypeInfo& type);

// Whether quota admission ignores the type altogether (events, reviews, ephemeral types,
// cluster-scoped types).
bool quota_ignores(const TypeInfo& type);

// Helpers the pod evaluator is made of, for tests.
bool pod_is_best_effort(const json::object& pod);
bool pod_counts_for_compute(const json::object& pod);  // QuotaV1Pod: not terminal

}  // namespace ukube::admission
