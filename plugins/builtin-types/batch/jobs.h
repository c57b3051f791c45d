#pragma once

#include <boost/json/object.hpp>

#include "common/field_errors.h"
#include "schema/builder.h"

namespace ukube::builtin {

// JobSpec rules and schema, shared by Jobs and the job templates of CronJobs
// (`in_template`: the selector is generated later, so it is not required yet).
void validate_job_spec(Errors& e, const FieldPath& p, const boost::json::object* spec, bool in_template);
schema::Schema job_spec_schema();

}  // namespace ukube::builtin
