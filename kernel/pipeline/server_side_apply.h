#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "kernel/pipeline/schema_view.h"

// Server-side apply (application/apply-patch+yaml): a manager declares the fields it
// wants; the server merges them into the live object with the schema's list semantics
// (x-kubernetes-list-type map / set / atomic; a path without schema is a map or an atomic
// list) and keeps track of who owns what in metadata.managedFields.
namespace ukube::pipeline {

struct ApplyRequest {
  const boost::json::object* live = nullptr;  // null: the apply creates the object
  const boost::json::object* applied = nullptr;
  SchemaView schema;
  std::string manager;
  std::string api_version;
  std::string subresource;       // "" or "status"
  bool status_separate = false;  // main resource of a type with a status subresource
  bool force = false;
  std::string now;  // RFC 3339
};

// The object after the apply, with its managedFields:
//  - applied values replace live ones; keyed lists merge element by element, sets merge;
//  - fields this manager applied last time and left out now are removed, unless another
//    manager owns them too (then only this manager's ownership goes);
//  - changing a value another manager owns is a conflict: ApiError 409 with one cause of
//    reason FieldManagerConflict per field, unless `force`, which takes the field over.
// An object that never had managedFields is first owned by "before-first-apply", as
// upstream does, so the first apply conflicts instead of silently overwriting.
boost::json::object server_side_apply(const ApplyRequest& request);

// The applied configuration's fields the schema does not declare, as upstream's typed
// converter reports them (".spec.bad: field not declared in schema").
std::vector<std::string> undeclared_applied_fields(const boost::json::object& applied, SchemaView schema);

}  // namespace ukube::pipeline
