#pragma once

#include <functional>
#include <string>

#include <boost/json/object.hpp>

#include "atomic_writer.h"
#include "container_spec.h"

// The files of the volumes made from API objects (upstream's configMap, secret,
// downwardAPI and projected volume plugins): what each key, item and field becomes, with
// its mode. Pure, so every rule is tested without a disk or a server.
namespace ukube::kubelet {

// A bound service account token for the pod: (audience, expirationSeconds) → token.
using TokenSource = std::function<std::string(const std::string& audience, int64_t expiration_seconds)>;

struct ProjectionInputs {
  PodContext pod;
  ObjectLookup lookup;  // ConfigMaps and Secrets
  TokenSource token;
};

// The files of one volume whose source is configMap, secret, downwardAPI or projected.
// Throws std::runtime_error with upstream's MountVolume.SetUp wording (`configmap "x" not
// found`, ...) when a source is missing and not optional.
FileSet volume_files(const boost::json::object& volume, const ProjectionInputs& in);

// Whether a volume is one volume_files() serves.
bool is_projected_kind(const boost::json::object& volume);

}  // namespace ukube::kubelet
