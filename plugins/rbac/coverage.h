#pragma once

#include <vector>

#include "ukube/machinery/policy_rule.h"

namespace ukube::rbac {

// `rule` split into rules of one verb and one group/resource/name, or one verb and one
// URL, so that coverage can be judged piece by piece.
std::vector<PolicyRule> breakdown(const PolicyRule& rule);

// Whether `owner` grants everything the single-piece `piece` grants.
bool covers(const PolicyRule& owner, const PolicyRule& piece);

// The pieces of `wanted` that no rule of `held` covers: what reconciling a bootstrap role
// adds to a role someone has narrowed.
std::vector<PolicyRule> uncovered(const std::vector<PolicyRule>& held, const std::vector<PolicyRule>& wanted);

}  // namespace ukube::rbac
