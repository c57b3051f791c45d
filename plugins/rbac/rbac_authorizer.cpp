#include "rbac_authorizer.h"

#include <algorithm>

namespace ukube::rbac {

AuthzResult RbacAuthorizer::authorize(const RequestAttributes& attributes) {
  const auto& groups = attributes.user.groups;
  if (std::find(groups.begin(), groups.end(), kMastersGroup) != groups.end())
    return {AuthzResult::Decision::Allow, ""};
  Decision d = index_->decide(attributes);
  return {d.allowed ? AuthzResult::Decision::Allow : AuthzResult::Decision::NoOpinion, std::move(d.reason)};
}

}  // namespace ukube::rbac
