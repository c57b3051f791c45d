#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/types.h"

// Generic ObjectMeta rules every type shares: names, labels, timestamps, uids.
namespace ukube::pipeline {

std::string new_uid();                               // RFC 4122 version 4
std::string now_rfc3339();                           // 2026-01-02T03:04:05Z
std::string generate_name(std::string_view prefix);  // prefix + 5 random characters, as upstream

// The metadata object, created when missing (or not an object).
boost::json::object& metadata(boost::json::object& object);
const boost::json::object* metadata(const boost::json::object& object);
std::string meta_string(const boost::json::object& object, std::string_view field);

// RFC 1123 subdomain (most names) and label (namespaces) checks; return upstream's messages.
std::vector<std::string> dns_subdomain_errors(std::string_view value);
std::vector<std::string> dns_label_errors(std::string_view value);
// Names that only have to fit in one URL path segment (upstream's ValidatePathSegmentName).
std::vector<std::string> path_segment_errors(std::string_view value);

// Name, namespace, labels and annotations of any object.
void validate_object_meta(const boost::json::object& object, const TypeInfo& type,
                          std::vector<FieldError>& errors);

}  // namespace ukube::pipeline
