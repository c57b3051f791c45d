#pragma once

#include <memory>

#include "policy_index.h"
#include "ukube/auth.h"
#include "ukube/machinery/identities.h"

namespace ukube::rbac {

// Members of this group may do anything, whatever the policy says (upstream's
// privileged group). It is also how the plugin reads the policy before any exists.
using machinery::kMastersGroup;

// The authorizer the plugin registers: the privileged group first, then RBAC. It never
// denies outright: a request no rule allows gets no opinion (with upstream's reason), so
// later authorizers may still allow it and the kernel words the 403.
class RbacAuthorizer final : public Authorizer {
 public:
  explicit RbacAuthorizer(std::shared_ptr<const PolicyIndex> index) : index_(std::move(index)) {}
  AuthzResult authorize(const RequestAttributes& attributes) override;
  SubjectRules rules_for(const UserInfo& user, const std::string& namespace_) override {
    return index_->rules(user, namespace_);
  }

 private:
  std::shared_ptr<const PolicyIndex> index_;
};

}  // namespace ukube::rbac
