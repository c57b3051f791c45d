#include "kernel/auth/auth_chains.h"

#include <spdlog/logger.h>
#include <algorithm>
#include <mutex>

#include "ukube/errors.h"

namespace ukube {
Authenticator::~Authenticator() = default;
Authorizer::~Authorizer() = default;
SubjectRules Authorizer::rules_for(const UserInfo&, const std::string&) {
  SubjectRules r;
  r.incomplete = true;
  r.evaluation_error = "this authorizer cannot list rules";
  return r;
}
AdmissionPlugin::~AdmissionPlugin() = default;
AuthChains::~AuthChains() = default;
}  // namespace ukube

namespace ukube::auth {

void KernelAuthChains::add_authenticator(const std::string& name, std::shared_ptr<Authenticator> a) {
  std::unique_lock lock(mutex_);
  authenticators_.emplace_back(name, std::move(a));
  had_authenticator_ = true;
}

void KernelAuthChains::add_authorizer(const std::string& name, std::shared_ptr<Authorizer> a) {
  std::unique_lock lock(mutex_);
  authorizers_.emplace_back(name, std::move(a));
  had_authorizer_ = true;
}

void KernelAuthChains::add_admission(const std::string& name, std::shared_ptr<AdmissionPlugin> a) {
  std::unique_lock lock(mutex_);
  admission_.emplace_back(name, std::move(a));
}

void KernelAuthChains::remove(const std::string& name) {
  std::unique_lock lock(mutex_);
  auto drop = [&](auto& chain) {
    chain.erase(std::remove_if(chain.begin(), chain.end(), [&](const auto& e) { return e.first == name; }),
                chain.end());
  };
  drop(authenticators_);
  drop(authorizers_);
  drop(admission_);
}

UserInfo KernelAuthChains::authenticate(const Credentials& credentials) {
  std::shared_lock lock(mutex_);
  if (authenticators_.empty() && !had_authenticator_)
    return UserInfo{"system:anonymous", "", {"system:unauthenticated"}, {}};
  for (const auto& [name, a] : authenticators_) {
    AuthnResult r = a->authenticate(credentials);
    if (r.outcome == AuthnResult::Outcome::Authenticated) {
      // As upstream: everyone an authenticator vouches for is in system:authenticated.
      auto& groups = r.user.groups;
      if (std::find(groups.begin(), groups.end(), "system:authenticated") == groups.end() &&
          r.user.name != "system:anonymous")
        groups.push_back("system:authenticated");
      return r.user;
    }
    if (r.outcome == AuthnResult::Outcome::Rejected) throw ApiError::unauthorized();
  }
  throw ApiError::unauthorized();
}

std::string forbidden_message(const RequestAttributes& a, const std::string& reason) {
  std::string msg;
  if (!a.resource_request) {
    msg = "forbidden: User \"" + a.user.name + "\" cannot " + a.verb + " path \"" + a.path + "\"";
  } else {
    std::string gr = a.api_group.empty() ? a.resource : a.resource + "." + a.api_group;
    std::string resource = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
    msg = gr + (a.name.empty() ? "" : " \"" + a.name + "\"") + " is forbidden: User \"" + a.user.name +
          "\" cannot " + a.verb + " resource \"" + resource + "\" in API group \"" + a.api_group + "\"" +
          (a.namespace_.empty() ? " at the cluster scope" : " in the namespace \"" + a.namespace_ + "\"");
  }
  if (!reason.empty()) msg += ": " + reason;
  return msg;
}

AuthzResult KernelAuthChains::decide(const RequestAttributes& attributes) {
  std::shared_lock lock(mutex_);
  if (authorizers_.empty()) {
    if (!had_authorizer_) return {AuthzResult::Decision::Allow, "no authorizer is configured"};
    return {AuthzResult::Decision::Deny, "no authorizer is loaded right now (one is being reloaded); retry"};
  }
  std::string reason;
  for (const auto& [name, a] : authorizers_) {
    AuthzResult r = a->authorize(attributes);
    if (r.decision == AuthzResult::Decision::Allow) return r;
    if (r.decision == AuthzResult::Decision::Deny) return r;
    if (reason.empty()) reason = r.reason;
  }
  return {AuthzResult::Decision::Deny, reason};
}

SubjectRules KernelAuthChains::rules_for(const UserInfo& user, const std::string& namespace_) {
  std::shared_lock lock(mutex_);
  SubjectRules all;
  for (const auto& [name, a] : authorizers_) {
    SubjectRules r = a->rules_for(user, namespace_);
    all.resource_rules.insert(all.resource_rules.end(), r.resource_rules.begin(), r.resource_rules.end());
    all.non_resource_rules.insert(all.non_resource_rules.end(), r.non_resource_rules.begin(),
                                  r.non_resource_rules.end());
    all.incomplete = all.incomplete || r.incomplete;
    if (!r.evaluation_error.empty())
      all.evaluation_error += (all.evaluation_error.empty() ? "" : "; ") + name + ": " + r.evaluation_error;
  }
  return all;
}

void KernelAuthChains::authorize(const RequestAttributes& attributes) {
  AuthzResult r = decide(attributes);
  if (r.decision == AuthzResult::Decision::Allow) return;
  ApiError e = ApiError::forbidden(forbidden_message(attributes, r.reason));
  e.group = attributes.api_group;
  e.kind = attributes.resource;
  e.name = attributes.name;
  throw e;
}

// Admission plugins call back into the pipeline (quota status writes, lookups), so they
// run on a copy of the chain rather than under the lock.
KernelAuthChains::Named<AdmissionPlugin> KernelAuthChains::admission_chain() const {
  std::shared_lock lock(mutex_);
  return admission_;
}

void KernelAuthChains::admit(AdmissionRequest& request) {
  for (const auto& [name, a] : admission_chain()) a->admit(request);
}

void KernelAuthChains::validate(const AdmissionRequest& request) {
  for (const auto& [name, a] : admission_chain()) a->validate(request);
}

bool KernelAuthChains::open() const {
  std::shared_lock lock(mutex_);
  return authenticators_.empty() || authorizers_.empty();
}

void KernelAuthChains::warn_if_open(spdlog::logger& log) const {
  std::shared_lock lock(mutex_);
  if (authenticators_.empty())
    log.warn(
        "!!! NO AUTHENTICATOR PLUGIN IS CONFIGURED: every request is accepted as system:anonymous. "
        "Enable an authn plugin in the config before exposing this node.");
  if (authorizers_.empty())
    log.warn(
        "!!! NO AUTHORIZER PLUGIN IS CONFIGURED: every request is ALLOWED. "
        "Enable an authorizer plugin (e.g. RBAC) in the config before exposing this node.");
}

}  // namespace ukube::auth
