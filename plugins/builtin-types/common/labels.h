#pragma once

#include <string>

#include <boost/json/fwd.hpp>

#include "common/field_errors.h"
#include "ukube/machinery/labels.h"

// Label maps and metav1.LabelSelector: printing them as kubectl does, matching them, and
// echoing them the way upstream's error messages do (Go syntax).
namespace ukube::builtin {

using machinery::format_labels;
using machinery::selector_string;

// A selector that selects nothing in particular (no matchLabels, no matchExpressions).
bool selector_is_empty(const boost::json::object& selector);

// map[string]string{"a":"b"} / map[string]string(nil)
std::string go_string_map(const boost::json::object* labels);
// v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}
std::string go_label_selector(const boost::json::object* selector);

// metav1.LabelSelector rules: operators, values per operator, label keys and values.
void validate_label_selector(Errors& e, const FieldPath& p, const boost::json::object& selector);
// Label keys and values of a plain map (e.g. spec.selector of a Service or an RC).
void validate_label_map(Errors& e, const FieldPath& p, const boost::json::object& labels);

}  // namespace ukube::builtin
