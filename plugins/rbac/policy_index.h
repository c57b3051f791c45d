#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/auth.h"
#include "ukube/machinery/policy_rule.h"

// The RBAC objects as the authorizer needs them: role rules by name, bindings filed under
// the users and groups they name, so that a decision only looks at the bindings that
// can apply to the requester instead of scanning them all.
namespace ukube::rbac {

enum class RbacKind { Role, ClusterRole, RoleBinding, ClusterRoleBinding };

struct Subject {
  enum class Kind { User, Group, ServiceAccount, Other } kind = Kind::Other;
  std::string name;
  std::string ns;  // service accounts only
};

struct Binding {
  std::string name;
  std::string ns;  // empty for a ClusterRoleBinding
  std::string role_kind;
  std::string role_name;
  std::vector<Subject> subjects;
};

struct Decision {
  bool allowed = false;
  std::string reason;  // upstream's "RBAC: ..." wording; empty for a plain denial
};

class PolicyIndex {
 public:
  // Informer events; an object replaces the one with its namespace and name.
  void put(RbacKind kind, const boost::json::object& object);
  void remove(RbacKind kind, const boost::json::object& object);

  Decision decide(const RequestAttributes& request) const;
  // Every rule bound to `user` cluster-wide or in `ns`, for SelfSubjectRulesReview; roles
  // that cannot be found are reported in evaluation_error, as upstream does.
  SubjectRules rules(const UserInfo& user, const std::string& ns) const;

  size_t binding_count() const;

 private:
  using Rules = std::shared_ptr<const std::vector<PolicyRule>>;
  struct Entry {
    const Binding* binding;
    uint32_t subject;
  };
  struct SubjectIndex {
    std::unordered_map<std::string, std::vector<Entry>> users;  // service accounts by their user name
    std::unordered_map<std::string, std::vector<Entry>> groups;
    bool empty() const { return users.empty() && groups.empty(); }
  };

  void put_binding(std::shared_ptr<const Binding> binding);
  void remove_binding(const std::string& ns, const std::string& name);
  void file(const Binding& binding, bool add);
  const std::vector<PolicyRule>* rules_for(const Binding& binding, std::string& error) const;

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Rules> cluster_roles_;
  std::unordered_map<std::string, std::unordered_map<std::string, Rules>> roles_;  // namespace → name
  std::unordered_map<std::string, std::shared_ptr<const Binding>> bindings_;       // "ns/name", "/name"
  SubjectIndex cluster_index_;
  std::unordered_map<std::string, SubjectIndex> namespace_index_;
};

// The user name a service account authenticates as.
std::string service_account_user(const std::string& ns, const std::string& name);

}  // namespace ukube::rbac
