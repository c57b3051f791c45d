#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/export.h"
#include "ukube/types.h"

// The authentication, authorization and admission chains of the request pipeline
// (DESIGN.md §4, §7). The kernel only hosts them; plugins fill them.
namespace ukube {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
};

// authentication.k8s.io/v1 UserInfo as JSON ({username, uid, groups, extra}, empty fields
// left out), as access reviews, admission reviews and audit events carry it.
UKUBE_API boost::json::object user_info_json(const UserInfo& user);

// What a request arrived with, for authenticators to judge.
struct Credentials {
  std::string bearer_token;
  std::optional<std::string> client_cert_subject_cn;  // set only when the TLS layer verified the chain
  std::vector<std::string> client_cert_organizations;
  std::string remote_address;
};

struct AuthnResult {
  enum class Outcome { NoOpinion, Authenticated, Rejected } outcome = Outcome::NoOpinion;
  UserInfo user;
  std::string reason;  // why Rejected
};

class UKUBE_API Authenticator {
 public:
  virtual ~Authenticator();
  virtual AuthnResult authenticate(const Credentials& credentials) = 0;
};

// The attributes RBAC decides on (upstream's authorizer.Attributes).
struct RequestAttributes {
  UserInfo user;
  std::string verb;  // get list watch create update patch delete deletecollection ...
  bool resource_request = true;
  std::string api_group;
  std::string api_version;
  std::string resource;
  std::string subresource;
  std::string namespace_;
  std::string name;
  std::string path;  // non-resource requests
};

struct AuthzResult {
  enum class Decision { NoOpinion, Allow, Deny } decision = Decision::NoOpinion;
  std::string reason;
};

// What a subject may do in a namespace, for SelfSubjectRulesReview (`kubectl auth can-i
// --list`). Incomplete when some authorizer cannot enumerate its rules.
struct SubjectRules {
  struct ResourceRule {
    std::vector<std::string> verbs, api_groups, resources, resource_names;
  };
  struct NonResourceRule {
    std::vector<std::string> verbs, urls;
  };
  std::vector<ResourceRule> resource_rules;
  std::vector<NonResourceRule> non_resource_rules;
  bool incomplete = false;
  std::string evaluation_error;
};

class UKUBE_API Authorizer {
 public:
  virtual ~Authorizer();
  virtual AuthzResult authorize(const RequestAttributes& attributes) = 0;
  // The rules that apply to `user` in `namespace_` (cluster-wide ones included). The
  // default says the authorizer cannot list them.
  virtual SubjectRules rules_for(const UserInfo& user, const std::string& namespace_);
};

enum class AdmissionOperation { Create, Update, Delete, Connect };

struct AdmissionRequest {
  AdmissionOperation operation = AdmissionOperation::Create;
  const TypeInfo* type = nullptr;
  std::string subresource;
  std::string namespace_;
  std::string name;
  boost::json::object* object = nullptr;            // mutable for mutating admission; null on delete
  const boost::json::object* old_object = nullptr;  // null on create
  const UserInfo* user = nullptr;
  bool dry_run = false;
};

// Rejects by throwing ApiError (usually forbidden or invalid).
class UKUBE_API AdmissionPlugin {
 public:
  virtual ~AdmissionPlugin();
  virtual void admit(AdmissionRequest& request) {}           // mutating phase
  virtual void validate(const AdmissionRequest& request) {}  // validating phase
};

// The chains, in registration order (which is plugin init order, i.e. config order).
class UKUBE_API AuthChains {
 public:
  virtual ~AuthChains();
  virtual void add_authenticator(const std::string& name, std::shared_ptr<Authenticator> a) = 0;
  virtual void add_authorizer(const std::string& name, std::shared_ptr<Authorizer> a) = 0;
  virtual void add_admission(const std::string& name, std::shared_ptr<AdmissionPlugin> a) = 0;
  virtual void remove(const std::string& name) = 0;

  // Throws ApiError 401 when a credential is rejected or none is accepted.
  virtual UserInfo authenticate(const Credentials& credentials) = 0;
  // Throws ApiError 403 with upstream's message unless some authorizer allows.
  virtual void authorize(const RequestAttributes& attributes) = 0;
  // The chain's decision without throwing, for access reviews: Allow, or Deny with the
  // reason (NoOpinion from every authorizer is reported as Deny, as the chain denies it).
  virtual AuthzResult decide(const RequestAttributes& attributes) = 0;
  // Every authorizer's rules for `user` in `namespace_`, merged.
  virtual SubjectRules rules_for(const UserInfo& user, const std::string& namespace_) = 0;
  virtual void admit(AdmissionRequest& request) = 0;
  virtual void validate(const AdmissionRequest& request) = 0;
};

}  // namespace ukube
