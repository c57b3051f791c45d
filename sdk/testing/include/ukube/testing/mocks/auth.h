#pragma once

#include <gmock/gmock.h>

#include "ukube/auth.h"

// GoogleMock mocks of the authentication, authorization and admission interfaces
// (ukube/auth.h): what authn / authz / admission plugins implement and what front ends
// consume through AuthChains.
namespace ukube::testing {

class MockAuthenticator : public Authenticator {
 public:
  MockAuthenticator();
  ~MockAuthenticator() override;
  MOCK_METHOD(AuthnResult, authenticate, (const Credentials& credentials), (override));
};

class MockAuthorizer : public Authorizer {
 public:
  MockAuthorizer();
  ~MockAuthorizer() override;
  MOCK_METHOD(AuthzResult, authorize, (const RequestAttributes& attributes), (override));
  MOCK_METHOD(SubjectRules, rules_for, (const UserInfo& user, const std::string& namespace_), (override));
};

class MockAdmissionPlugin : public AdmissionPlugin {
 public:
  MockAdmissionPlugin();
  ~MockAdmissionPlugin() override;
  MOCK_METHOD(void, admit, (AdmissionRequest & request), (override));
  MOCK_METHOD(void, validate, (const AdmissionRequest& request), (override));
};

class MockAuthChains : public AuthChains {
 public:
  MockAuthChains();
  ~MockAuthChains() override;
  MOCK_METHOD(void, add_authenticator, (const std::string& name, std::shared_ptr<Authenticator> a),
              (override));
  MOCK_METHOD(void, add_authorizer, (const std::string& name, std::shared_ptr<Authorizer> a), (override));
  MOCK_METHOD(void, add_admission, (const std::string& name, std::shared_ptr<AdmissionPlugin> a), (override));
  MOCK_METHOD(void, remove, (const std::string& name), (override));
  MOCK_METHOD(UserInfo, authenticate, (const Credentials& credentials), (override));
  MOCK_METHOD(void, authorize, (const RequestAttributes& attributes), (override));
  MOCK_METHOD(AuthzResult, decide, (const RequestAttributes& attributes), (override));
  MOCK_METHOD(SubjectRules, rules_for, (const UserInfo& user, const std::string& namespace_), (override));
  MOCK_METHOD(void, admit, (AdmissionRequest & request), (override));
  MOCK_METHOD(void, validate, (const AdmissionRequest& request), (override));
};

}  // namespace ukube::testing
