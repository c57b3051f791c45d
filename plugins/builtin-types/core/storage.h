#pragma once

#include <boost/json/object.hpp>

#include "common/field_errors.h"

namespace ukube::builtin {

// PersistentVolumeClaimSpec rules, shared by claims and StatefulSet claim templates.
void validate_pvc_spec(Errors& e, const FieldPath& p, const boost::json::object* spec);

}  // namespace ukube::builtin
