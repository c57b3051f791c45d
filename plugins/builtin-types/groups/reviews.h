#pragma once

#include <vector>

#include <boost/json/object.hpp>

#include "ukube/auth.h"
#include "ukube/types.h"

// The review resources: create-only, answered from the auth chains and never stored.
// `kubectl auth can-i` posts SelfSubjectAccessReviews (and SelfSubjectRulesReviews for
// --list); `kubectl auth whoami` posts a SelfSubjectReview.
namespace ukube::builtin {

// authorization.k8s.io/v1: SelfSubjectAccessReview, SubjectAccessReview,
// LocalSubjectAccessReview, SelfSubjectRulesReview.
std::vector<TypeInfo> authorization_review_types(AuthChains& auth);
// authentication.k8s.io/v1: TokenReview, SelfSubjectReview.
std::vector<TypeInfo> authentication_review_types(AuthChains& auth);

// A review's answer: the request body with `status` filled in, as upstream returns it.
boost::json::object answered(boost::json::object body, boost::json::object status);

}  // namespace ukube::builtin
