#include "impersonation.h"

#include <algorithm>

#include "ukube/errors.h"
#include "url.h"

namespace ukube::apiserver {
namespace {

constexpr std::string_view kExtraPrefix = "impersonate-extra-";
constexpr std::string_view kServiceAccountPrefix = "system:serviceaccount:";

void check(AuthChains& auth, const UserInfo& requester, const char* group, const char* resource,
           const std::string& name, const std::string& ns = {}, const std::string& subresource = {}) {
  RequestAttributes a;
  a.user = requester;
  a.verb = "impersonate";
  a.api_group = group;
  a.resource = resource;
  a.subresource = subresource;
  a.name = name;
  a.namespace_ = ns;
  auth.authorize(a);
}

void add_group(UserInfo& user, const std::string& group) {
  if (std::find(user.groups.begin(), user.groups.end(), group) == user.groups.end())
    user.groups.push_back(group);
}

}  // namespace

UserInfo impersonate(const UserInfo& requester, const ImpersonationHeaders& headers, AuthChains& auth) {
  if (headers.empty()) return requester;
  UserInfo target;
  bool has_user = false;
  for (const auto& [name, value] : headers) {
    if (name == "impersonate-user") {
      target.name = value;
      has_user = true;
    } else if (name == "impersonate-group") {
      target.groups.push_back(value);
    } else if (name == "impersonate-uid") {
      target.uid = value;
    } else if (name.starts_with(kExtraPrefix)) {
      // The key is percent-encoded in the header name, which HTTP lower-cases anyway.
      std::string_view key = std::string_view(name).substr(kExtraPrefix.size());
      target.extra[percent_decode(key).value_or(std::string(key))].push_back(value);
    }
  }
  if (!has_user || target.name.empty())
    throw ApiError::bad_request(
        "requested impersonation of groups, a uid or extra fields without "
        "impersonating a user: add the Impersonate-User header (kubectl --as)");

  if (target.name.starts_with(kServiceAccountPrefix)) {
    std::string rest = target.name.substr(kServiceAccountPrefix.size());
    auto colon = rest.find(':');
    if (colon == std::string::npos)
      throw ApiError::bad_request("cannot impersonate \"" + target.name +
                                  "\": a service account user is system:serviceaccount:NAMESPACE:NAME");
    std::string ns = rest.substr(0, colon);
    check(auth, requester, "", "serviceaccounts", rest.substr(colon + 1), ns);
    if (target.groups.empty()) {
      target.groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns};
    }
  } else {
    check(auth, requester, "", "users", target.name);
  }
  for (const auto& group : target.groups) check(auth, requester, "", "groups", group);
  if (!target.uid.empty()) check(auth, requester, "authentication.k8s.io", "uids", target.uid);
  for (const auto& [key, values] : target.extra)
    for (const auto& value : values)
      check(auth, requester, "authentication.k8s.io", "userextras", value, {}, key);

  // As upstream: the impersonated user is authenticated, unless it is the anonymous user.
  if (target.name == "system:anonymous")
    add_group(target, "system:unauthenticated");
  else
    add_group(target, "system:authenticated");
  return target;
}

}  // namespace ukube::apiserver
