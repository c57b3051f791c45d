#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/field_errors.h"

// Name formats Kubernetes checks, returning upstream's explanations (empty when valid).
namespace ukube::builtin {

std::vector<std::string> dns1123_label_errors(std::string_view v);      // namespaces, container names
std::vector<std::string> dns1123_subdomain_errors(std::string_view v);  // most object names
std::vector<std::string> dns1035_label_errors(std::string_view v);      // service names
std::vector<std::string> iana_svc_name_errors(std::string_view v);      // port names
std::vector<std::string> config_key_errors(std::string_view v);         // configmap / secret keys
std::vector<std::string> env_var_name_errors(std::string_view v);
std::vector<std::string> qualified_name_errors(std::string_view v);  // label keys: [prefix/]name

// Reports each problem as `path: Invalid value: "v": <why>`.
void report(Errors& e, const FieldPath& p, std::string_view value, const std::vector<std::string>& problems);

// A DNS-1123 label check for metadata.name beyond the kernel's subdomain check: reports
// only what the subdomain rule let through, so one bad name yields one message.
void check_name_is_label(Errors& e, std::string_view name);
void check_name_is_dns1035(Errors& e, std::string_view name);

}  // namespace ukube::builtin
