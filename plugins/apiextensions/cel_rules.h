#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "schema_node.h"
#include "ukube/cel/program.h"
#include "ukube/machinery/field_errors.h"
#include "ukube/types.h"

// x-kubernetes-validations: CEL rules on a schema node, over `self` (the node's value) and,
// in transition rules, `oldSelf` (its value before an update). Compiled when a definition
// is written (where compile errors and cost overruns refuse it) and when its types are
// served; evaluated on every create and update of a custom resource.
namespace ukube::apiextensions {

struct CelRule {
  std::string rule;
  std::string message;
  std::string reason;      // FieldValueInvalid (the default), Forbidden, Required, Duplicate
  std::string field_path;  // where a failure is reported, relative to the node
  std::optional<cel::Program> program;
  std::optional<cel::Program> message_expression;
  bool uses_old_self = false;
  bool optional_old_self = false;
};

struct CelRules {
  std::vector<CelRule> rules;
  // The members of an object node the rules select (by their property names), when they
  // use nothing else of it: only those are built for them. Unset: the whole value.
  std::optional<std::vector<std::string>> fields;
};

// Upstream's limits (k8s.io/apiserver/pkg/apis/cel): per evaluation of one rule, per object,
// and the estimates a definition's rules must stay under.
inline constexpr uint64_t kPerCallCostLimit = 1'000'000;
inline constexpr uint64_t kRuntimeCostBudget = 10'000'000;
inline constexpr uint64_t kEstimatedRuleCostLimit = 10'000'000;
inline constexpr uint64_t kEstimatedSchemaCostLimit = 100'000'000;

// Compiles the rules of every node of a schema read by compile_schema(). With `errors`, reports
// what upstream refuses a definition for, at paths under `schema_path` (the definition's
// ...openAPIV3Schema); without, skips rules that do not compile.
void attach_cel_rules(SchemaNode& root, machinery::Errors* errors = nullptr,
                      const machinery::FieldPath* schema_path = nullptr);

// Evaluates the rules over a custom resource (and, on an update, the stored object), adding
// a field error for each that fails. Rules are not evaluated when `out` already holds type
// errors: upstream says some were not checked instead.
void check_cel_rules(const boost::json::object& object, const SchemaNode& root, std::vector<FieldError>& out,
                     const boost::json::object* old = nullptr);

}  // namespace ukube::apiextensions
