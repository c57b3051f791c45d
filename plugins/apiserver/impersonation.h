#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ukube/auth.h"

// Impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the Impersonate-* headers
// replace the requester by another identity when the requester may `impersonate` each
// part of it, as upstream's filter does.
namespace ukube::apiserver {

// Header names lower-cased ("impersonate-user", "impersonate-extra-scopes", ...).
using ImpersonationHeaders = std::vector<std::pair<std::string, std::string>>;

// The identity to serve the request as: `requester` when there are no such headers.
// Throws ApiError 400 for headers without a user and 403 when an impersonation is not
// allowed.
UserInfo impersonate(const UserInfo& requester, const ImpersonationHeaders& headers, AuthChains& auth);

}  // namespace ukube::apiserver
