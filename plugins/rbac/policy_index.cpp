#include "policy_index.h"

#include <algorithm>
#include <mutex>
#include <unordered_set>

#include <boost/json.hpp>

#include "json_fields.h"

namespace ukube::rbac {
namespace {

std::shared_ptr<const Binding> parse_binding(const json::object& o) {
  auto b = std::make_shared<Binding>();
  b->name = meta_string(o, "name");
  b->ns = meta_string(o, "namespace");
  if (const json::object* ref = object_at(o, {"roleRef"})) {
    b->role_kind = string_at(*ref, {"kind"});
    b->role_name = string_at(*ref, {"name"});
  }
  if (const json::array* subjects = array_at(o, {"subjects"})) {
    for (const json::value& v : *subjects) {
      const json::object* s = v.if_object();
      if (!s) continue;
      Subject subject;
      std::string kind = string_at(*s, {"kind"});
      if (kind == "User") subject.kind = Subject::Kind::User;
      if (kind == "Group") subject.kind = Subject::Kind::Group;
      if (kind == "ServiceAccount") subject.kind = Subject::Kind::ServiceAccount;
      subject.name = string_at(*s, {"name"});
      subject.ns = string_at(*s, {"namespace"});
      b->subjects.push_back(std::move(subject));
    }
  }
  return b;
}

// A service account subject of a RoleBinding may leave its namespace to the binding's.
std::string subject_namespace(const Binding& b, const Subject& s) {
  return s.ns.empty() ? b.ns : s.ns;
}

// "RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to User "u"": built with
// one allocation, since every allowed request pays for it.
std::string allowed_by(const Binding& b, const Subject& s) {
  const std::string& subject_ns = s.ns.empty() ? b.ns : s.ns;  // service accounts only
  std::string out;
  out.reserve(96 + b.name.size() + b.ns.size() + b.role_name.size() + s.name.size() + subject_ns.size());
  out.append("RBAC: allowed by ");
  out.append(b.ns.empty() ? "ClusterRoleBinding \"" : "RoleBinding \"").append(b.name);
  if (!b.ns.empty()) out.append("/").append(b.ns);
  out.append("\" of ").append(b.role_kind).append(" \"").append(b.role_name).append("\" to ");
  switch (s.kind) {
    case Subject::Kind::User: out.append("User \""); break;
    case Subject::Kind::Group: out.append("Group \""); break;
    case Subject::Kind::ServiceAccount: out.append("ServiceAccount \""); break;
    case Subject::Kind::Other: out.append("\""); break;
  }
  out.append(s.name);
  if (s.kind == Subject::Kind::ServiceAccount) out.append("/").append(subject_ns);
  return out.append("\"");
}

std::string binding_key(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

}  // namespace

std::string service_account_user(const std::string& ns, const std::string& name) {
  return "system:serviceaccount:" + ns + ":" + name;
}

void PolicyIndex::put(RbacKind kind, const json::object& object) {
  switch (kind) {
    case RbacKind::ClusterRole: {
      auto rules = std::make_shared<const std::vector<PolicyRule>>(parse_rules(object));
      std::unique_lock lock(mutex_);
      cluster_roles_[meta_string(object, "name")] = std::move(rules);
      return;
    }
    case RbacKind::Role: {
      auto rules = std::make_shared<const std::vector<PolicyRule>>(parse_rules(object));
      std::unique_lock lock(mutex_);
      roles_[meta_string(object, "namespace")][meta_string(object, "name")] = std::move(rules);
      return;
    }
    case RbacKind::RoleBinding:
    case RbacKind::ClusterRoleBinding: put_binding(parse_binding(object)); return;
  }
}

void PolicyIndex::remove(RbacKind kind, const json::object& object) {
  std::string name = meta_string(object, "name");
  std::string ns = meta_string(object, "namespace");
  switch (kind) {
    case RbacKind::ClusterRole: {
      std::unique_lock lock(mutex_);
      cluster_roles_.erase(name);
      return;
    }
    case RbacKind::Role: {
      std::unique_lock lock(mutex_);
      auto it = roles_.find(ns);
      if (it == roles_.end()) return;
      it->second.erase(name);
      if (it->second.empty()) roles_.erase(it);
      return;
    }
    case RbacKind::RoleBinding:
    case RbacKind::ClusterRoleBinding: remove_binding(ns, name); return;
  }
}

void PolicyIndex::put_binding(std::shared_ptr<const Binding> binding) {
  std::unique_lock lock(mutex_);
  auto& slot = bindings_[binding_key(binding->ns, binding->name)];
  if (slot) file(*slot, false);
  slot = std::move(binding);
  file(*slot, true);
}

void PolicyIndex::remove_binding(const std::string& ns, const std::string& name) {
  std::unique_lock lock(mutex_);
  auto it = bindings_.find(binding_key(ns, name));
  if (it == bindings_.end()) return;
  file(*it->second, false);
  bindings_.erase(it);
}

// Adds or removes the binding's entries under every user and group it names.
void PolicyIndex::file(const Binding& b, bool add) {
  SubjectIndex& index = b.ns.empty() ? cluster_index_ : namespace_index_[b.ns];
  for (uint32_t i = 0; i < b.subjects.size(); ++i) {
    const Subject& s = b.subjects[i];
    std::unordered_map<std::string, std::vector<Entry>>* map = nullptr;
    std::string key;
    switch (s.kind) {
      case Subject::Kind::User:
        map = &index.users;
        key = s.name;
        break;
      case Subject::Kind::Group:
        map = &index.groups;
        key = s.name;
        break;
      case Subject::Kind::ServiceAccount: {
        std::string ns = subject_namespace(b, s);
        if (ns.empty()) continue;  // a cluster binding's account without a namespace names no one
        map = &index.users;
        key = service_account_user(ns, s.name);
        break;
      }
      case Subject::Kind::Other: continue;
    }
    if (add) {
      (*map)[key].push_back({&b, i});
      continue;
    }
    auto it = map->find(key);
    if (it == map->end()) continue;
    auto& entries = it->second;
    entries.erase(
        std::remove_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.binding == &b; }),
        entries.end());
    if (entries.empty()) map->erase(it);
  }
  if (!add && !b.ns.empty() && index.empty()) namespace_index_.erase(b.ns);
}

const std::vector<PolicyRule>* PolicyIndex::rules_for(const Binding& b, std::string& error) const {
  if (b.role_kind == "ClusterRole") {
    auto it = cluster_roles_.find(b.role_name);
    if (it != cluster_roles_.end()) return it->second.get();
    error = "clusterrole.rbac.authorization.k8s.io \"" + b.role_name + "\" not found";
    return nullptr;
  }
  if (b.role_kind == "Role") {
    auto ns = roles_.find(b.ns);
    if (ns != roles_.end()) {
      auto it = ns->second.find(b.role_name);
      if (it != ns->second.end()) return it->second.get();
    }
    error = "role.rbac.authorization.k8s.io \"" + b.role_name + "\" not found";
    return nullptr;
  }
  error = "unsupported role reference kind: \"" + b.role_kind + "\"";
  return nullptr;
}

Decision PolicyIndex::decide(const RequestAttributes& a) const {
  const ResourceRequest request{a.verb, a.api_group, a.resource, a.subresource, a.name};
  std::vector<std::string> errors;

  std::shared_lock lock(mutex_);
  auto grants = [&](const Entry& e) {
    std::string error;
    const std::vector<PolicyRule>* rules = rules_for(*e.binding, error);
    if (!rules) {
      errors.push_back(std::move(error));
      return false;
    }
    return std::any_of(rules->begin(), rules->end(), [&](const PolicyRule& r) {
      return a.resource_request ? allows_resource(r, request) : allows_non_resource(r, a.verb, a.path);
    });
  };
  auto first_grant = [&](const std::vector<Entry>& entries) -> const Entry* {
    for (const Entry& e : entries)
      if (grants(e)) return &e;
    return nullptr;
  };
  auto search = [&](const SubjectIndex& index) -> const Entry* {
    if (auto it = index.users.find(a.user.name); it != index.users.end())
      if (const Entry* e = first_grant(it->second)) return e;
    for (const std::string& group : a.user.groups)
      if (auto it = index.groups.find(group); it != index.groups.end())
        if (const Entry* e = first_grant(it->second)) return e;
    return nullptr;
  };

  const Entry* granted = search(cluster_index_);
  // Role bindings only ever grant within their own namespace.
  if (!granted && !a.namespace_.empty())
    if (auto it = namespace_index_.find(a.namespace_); it != namespace_index_.end())
      granted = search(it->second);
  if (granted) return {true, allowed_by(*granted->binding, granted->binding->subjects[granted->subject])};

  if (errors.empty()) return {};
  std::sort(errors.begin(), errors.end());
  errors.erase(std::unique(errors.begin(), errors.end()), errors.end());
  std::string reason = "RBAC: ";
  if (errors.size() == 1) return {false, reason + errors.front()};
  reason += "[";
  for (size_t i = 0; i < errors.size(); ++i) reason += (i ? ", " : "") + errors[i];
  return {false, reason + "]"};
}

SubjectRules PolicyIndex::rules(const UserInfo& user, const std::string& ns) const {
  SubjectRules out;
  std::vector<std::string> errors;
  std::shared_lock lock(mutex_);
  std::unordered_set<const Binding*> seen;
  auto collect = [&](const std::vector<Entry>& entries) {
    for (const Entry& e : entries) {
      if (!seen.insert(e.binding).second) continue;
      std::string error;
      const std::vector<PolicyRule>* rules = rules_for(*e.binding, error);
      if (!rules) {
        errors.push_back(std::move(error));
        continue;
      }
      for (const PolicyRule& r : *rules) {
        if (!r.non_resource_urls.empty())
          out.non_resource_rules.push_back({r.verbs, r.non_resource_urls});
        else
          out.resource_rules.push_back({r.verbs, r.api_groups, r.resources, r.resource_names});
      }
    }
  };
  auto search = [&](const SubjectIndex& index) {
    if (auto it = index.users.find(user.name); it != index.users.end()) collect(it->second);
    for (const std::string& group : user.groups)
      if (auto it = index.groups.find(group); it != index.groups.end()) collect(it->second);
  };
  search(cluster_index_);
  if (!ns.empty())
    if (auto it = namespace_index_.find(ns); it != namespace_index_.end()) search(it->second);
  std::sort(errors.begin(), errors.end());
  errors.erase(std::unique(errors.begin(), errors.end()), errors.end());
  for (size_t i = 0; i < errors.size(); ++i) out.evaluation_error += (i ? ", " : "") + errors[i];
  out.incomplete = !errors.empty();
  return out;
}

size_t PolicyIndex::binding_count() const {
  std::shared_lock lock(mutex_);
  return bindings_.size();
}

}  // namespace ukube::rbac
