#pragma once

#include <boost/json/fwd.hpp>

#include "schema_node.h"

// Structural defaulting of custom resources, as upstream applies it to every request body:
// a member that is missing, or null where the schema does not allow null, takes its
// `default:`; a non-nullable null without a default is dropped. Defaults apply only inside
// objects that exist (an absent parent is not created unless it has a default itself).
namespace ukube::apiextensions {

void apply_defaults(boost::json::value& value, const SchemaNode& schema);
void apply_defaults(boost::json::object& object, const SchemaNode& schema);

}  // namespace ukube::apiextensions
