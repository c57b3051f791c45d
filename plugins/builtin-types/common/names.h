#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/field_errors.h"
#include "ukube/machinery/names.h"

// Name formats Kubernetes checks (ukube/machinery/names.h), reported as field errors.
namespace ukube::builtin {

using machinery::config_key_errors;
using machinery::dns1035_label_errors;
using machinery::dns1123_label_errors;
using machinery::dns1123_subdomain_errors;
using machinery::env_var_name_errors;
using machinery::iana_svc_name_errors;
using machinery::label_value_errors;
using machinery::qualified_name_errors;

// Reports each problem as `path: Invalid value: "v": <why>`.
void report(Errors& e, const FieldPath& p, std::string_view value, const std::vector<std::string>& problems);

// A DNS-1123 label check for metadata.name beyond the kernel's subdomain check: reports
// only what the subdomain rule let through, so one bad name yields one message.
void check_name_is_label(Errors& e, std::string_view name);
void check_name_is_dns1035(Errors& e, std::string_view name);

}  // namespace ukube::builtin
