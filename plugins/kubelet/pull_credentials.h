#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "container_spec.h"
#include "ukube/runtime/types.h"

// Registry credentials from a pod's imagePullSecrets, as upstream's kubelet keyring reads
// them: kubernetes.io/dockerconfigjson ({"auths": {...}}) and kubernetes.io/dockercfg secrets,
// entries keyed by registry host ("registry.local:5000", "https://index.docker.io/v1/"),
// optionally with a path prefix ("registry.local:5000/team"), holding a username and
// password or "auth" (base64 of user:password).
namespace ukube::kubelet {

// The first matching entry of the first secret that has one; empty when none does (or the
// image reference cannot be parsed: the pull then says what is wrong with it).
runtime::AuthConfig pull_credentials(const boost::json::object& pod, const std::string& image,
                                     const ObjectLookup& lookup);

}  // namespace ukube::kubelet
