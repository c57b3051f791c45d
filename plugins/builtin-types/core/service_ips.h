#pragma once

#include <boost/json/object.hpp>

#include "common/field_errors.h"

namespace ukube::builtin {

// upstream's checks of a Service's clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy
// (ValidateServiceClusterIPsRelatedFields and the update rules): the two address fields
// agree, addresses are valid and one per family, families and policy are known values
// matching the addresses, and an update keeps the addresses it has but may add or (when
// single-stack again) drop the secondary one. ExternalName Services have none of them.
void validate_service_ips(Errors& e, const boost::json::object& spec, const boost::json::object* old_spec);

}  // namespace ukube::builtin
