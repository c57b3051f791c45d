#include "kernel/auth/auth_chains.h"

#include <algorithm>
#include <mutex>

#include "ukube/errors.h"

namespace ukube {
Authenticator::~Authenticator() = default;
Authorizer::~Authorizer() = default;
AdmissionPlugin::~AdmissionPlugin() = default;
AuthChains::~AuthChains() = default;
}  // namespace ukube

namespace ukube::auth {

void KernelAuthChains::add_authenticator(const std::string& name, std::shared_ptr<Authenticator> a) {
  std::unique_lock lock(mutex_);
  authenticators_.emplace_back(name, std::move(a));
}

void KernelAuthChains::add_authorizer(const std::string& name, std::shared_ptr<Authorizer> a) {
  std::unique_lock lock(mutex_);
  authorizers_.emplace_back(name, std::move(a));
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
  if (authenticators_.empty()) return UserInfo{"system:anonymous", "", {"system:unauthenticated"}, {}};
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

void KernelAuthChains::authorize(const RequestAttributes& attributes) {
  std::shared_lock lock(mutex_);
  if (authorizers_.empty()) return;
  std::string reason;
  for (const auto& [name, a] : authorizers_) {
    AuthzResult r = a->authorize(attributes);
    if (r.decision == AuthzResult::Decision::Allow) return;
    if (r.decision == AuthzResult::Decision::Deny) {
      reason = r.reason;
      break;
    }
    if (reason.empty()) reason = r.reason;
  }
  ApiError e = ApiError::forbidden(forbidden_message(attributes, reason));
  e.group = attributes.api_group;
  e.kind = attributes.resource;
  e.name = attributes.name;
  throw e;
}

void KernelAuthChains::admit(AdmissionRequest& request) {
  std::shared_lock lock(mutex_);
  for (const auto& [name, a] : admission_) a->admit(request);
}

void KernelAuthChains::validate(const AdmissionRequest& request) {
  std::shared_lock lock(mutex_);
  for (const auto& [name, a] : admission_) a->validate(request);
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
