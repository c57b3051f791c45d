#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ukube/machinery/export.h"

// The name and label formats Kubernetes checks. Each returns upstream's explanations, one
// per broken rule, and nothing when the value is valid.
namespace ukube::machinery {

UKUBE_MACHINERY_API std::vector<std::string> dns1123_label_errors(std::string_view v);      // namespaces
UKUBE_MACHINERY_API std::vector<std::string> dns1123_subdomain_errors(std::string_view v);  // most names
UKUBE_MACHINERY_API std::vector<std::string> dns1035_label_errors(std::string_view v);      // services
UKUBE_MACHINERY_API std::vector<std::string> iana_svc_name_errors(std::string_view v);      // port names
UKUBE_MACHINERY_API std::vector<std::string> config_key_errors(std::string_view v);         // configmap keys
UKUBE_MACHINERY_API std::vector<std::string> env_var_name_errors(std::string_view v);
// Label and annotation keys: [DNS-1123 subdomain prefix/]name.
UKUBE_MACHINERY_API std::vector<std::string> qualified_name_errors(std::string_view v);
UKUBE_MACHINERY_API std::vector<std::string> label_value_errors(std::string_view v);
// Names that only have to fit in one URL path segment (upstream's ValidatePathSegmentName).
UKUBE_MACHINERY_API std::vector<std::string> path_segment_errors(std::string_view v);

// A string as Go's %q prints it, for upstream's `Invalid value: "x"` messages.
UKUBE_MACHINERY_API std::string quote(std::string_view v);
// A string list as Go's %#v prints a []string in upstream's messages: []string{"a", "b"}.
UKUBE_MACHINERY_API std::string go_strings(const std::vector<std::string>& values);
// ASCII letters lower-cased, everything else kept: protocols, resource names, host names.
UKUBE_MACHINERY_API std::string ascii_lower(std::string text);

}  // namespace ukube::machinery
