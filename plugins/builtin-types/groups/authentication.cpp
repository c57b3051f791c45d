// authentication.k8s.io/v1: TokenReview and SelfSubjectReview, answered by the
// authenticator chain.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "families.h"
#include "groups/reviews.h"
#include "schema/meta.h"
#include "ukube/errors.h"

namespace ukube::builtin {
namespace {

namespace json = boost::json;

schema::Schema user_info_schema() {
  using namespace schema;
  return object({{"username", string(), 1},
                 {"uid", string(), 2},
                 {"groups", atomic_list(string()), 3},
                 {"extra", map_of(atomic_list(string())), 4}},
                "Who a request is from.");
}

TypeInfo token_reviews(AuthChains& auth) {
  TypeInfo t = make_type("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", false);
  t.verbs = {"create"};
  using namespace schema;
  t.schema = share(resource(
      "authentication.k8s.io", "v1", "TokenReview", "Authenticates a bearer token.",
      {{"spec", object({{"token", string(), 1}, {"audiences", atomic_list(string()), 2}}), 2, kAlways},
       {"status",
        object({{"authenticated", boolean(), 1},
                {"user", user_info_schema(), 2},
                {"audiences", atomic_list(string()), 4},
                {"error", string(), 3}}),
        3}}));
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    if (string_at(o, {"spec", "token"}).empty()) Errors(out).required(FieldPath("spec").child("token"));
  });
  t.ephemeral_create = [&auth](EphemeralCall& call) {
    Credentials credentials;
    credentials.bearer_token = string_at(call.body, {"spec", "token"});
    json::object status;
    try {
      UserInfo user = auth.authenticate(credentials);
      status["authenticated"] = true;
      status["user"] = user_info_json(user);
      if (const auto* audiences = array_at(call.body, {"spec", "audiences"}))
        status["audiences"] = *audiences;
    } catch (const ApiError&) {
      // As upstream: the review answers, it does not fail, and says nothing of why.
      status["user"] = json::object{};
      status["error"] = "token lookup failed: the token is not valid for any authenticator";
    }
    return answered(std::move(call.body), std::move(status));
  };
  return t;
}

TypeInfo self_subject_reviews() {
  TypeInfo t = make_type("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false);
  t.verbs = {"create"};
  using namespace schema;
  t.schema = share(resource("authentication.k8s.io", "v1", "SelfSubjectReview", "Who the caller is.",
                            {{"status", object({{"userInfo", user_info_schema(), 1}}), 2}}));
  t.ephemeral_create = [](EphemeralCall& call) {
    return answered(std::move(call.body), json::object{{"userInfo", user_info_json(call.user)}});
  };
  return t;
}

}  // namespace

std::vector<TypeInfo> authentication_review_types(AuthChains& auth) {
  std::vector<TypeInfo> out;
  out.push_back(token_reviews(auth));
  out.push_back(self_subject_reviews());
  return out;
}

}  // namespace ukube::builtin
