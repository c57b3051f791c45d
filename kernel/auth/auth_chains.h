#pragma once

#include <spdlog/fwd.h>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "ukube/auth.h"

namespace ukube::auth {

// The kernel's chains. With no authorizer ever registered every request is allowed; the
// daemon warns loudly about that at start (warn_if_open()). Once one was, the chain stays
// closed while it is empty (an authorizer being reloaded), so a reload never opens the API.
class KernelAuthChains final : public AuthChains {
 public:
  void add_authenticator(const std::string& name, std::shared_ptr<Authenticator> a) override;
  void add_authorizer(const std::string& name, std::shared_ptr<Authorizer> a) override;
  void add_admission(const std::string& name, std::shared_ptr<AdmissionPlugin> a) override;
  void remove(const std::string& name) override;

  UserInfo authenticate(const Credentials& credentials) override;
  void authorize(const RequestAttributes& attributes) override;
  AuthzResult decide(const RequestAttributes& attributes) override;
  SubjectRules rules_for(const UserInfo& user, const std::string& namespace_) override;
  void admit(AdmissionRequest& request) override;
  void validate(const AdmissionRequest& request) override;

  bool open() const;  // no authenticator or no authorizer: the API is unprotected
  void warn_if_open(spdlog::logger& log) const;

 private:
  template <class T>
  using Named = std::vector<std::pair<std::string, std::shared_ptr<T>>>;
  Named<AdmissionPlugin> admission_chain() const;

  mutable std::shared_mutex mutex_;
  Named<Authenticator> authenticators_;
  Named<Authorizer> authorizers_;
  Named<AdmissionPlugin> admission_;
  bool had_authenticator_ = false;
  bool had_authorizer_ = false;
};

// Upstream's wording: `pods "p" is forbidden: User "u" cannot get resource "pods" in API
// group "" in the namespace "ns"`.
std::string forbidden_message(const RequestAttributes& attributes, const std::string& reason);

}  // namespace ukube::auth
