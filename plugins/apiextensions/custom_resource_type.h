#pragma once

#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/https/transport.h"
#include "ukube/types.h"

// What the type registry serves for one CustomResourceDefinition: a TypeInfo per served
// version, with the definition's names, scope, schema (pruning, defaulting, validation),
// subresources, printer columns, selectable fields and storage version.
namespace ukube::apiextensions {

struct ServeOptions {
  // The registry's ObjectMeta schema (from a built-in type), so that custom resources'
  // metadata reads like every other object's; null leaves metadata open.
  std::shared_ptr<const boost::json::object> object_meta_schema;
  // A definition being deleted takes no new instances (upstream's 405).
  bool terminating = false;
  // How conversion webhooks are called; none: only `None` conversion.
  std::shared_ptr<https::Transport> transport;
};

// The definition's served versions as types. Names come from status.acceptedNames (what
// the naming check accepted), else from spec.names. Throws std::invalid_argument when the
// definition cannot be served (CRD validation refuses such definitions first).
std::vector<TypeInfo> custom_resource_types(const boost::json::object& crd, const ServeOptions& options);

}  // namespace ukube::apiextensions
