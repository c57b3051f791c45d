#pragma once

#include <string>

#include <boost/json/fwd.hpp>

#include "common/field_errors.h"

// Label maps and metav1.LabelSelector: printing them as kubectl does, matching them, and
// echoing them the way upstream's error messages do (Go syntax).
namespace ukube::builtin {

// "a=b,c=d" sorted by key; "<none>" for a missing or empty map.
std::string format_labels(const boost::json::object* labels);
// A LabelSelector as selector text: "app=web,tier in (a,b),!legacy"; "<none>" when null.
std::string selector_string(const boost::json::object* selector);
// Whether `labels` satisfy `selector` (matchLabels and matchExpressions).
bool selector_matches(const boost::json::object& selector, const boost::json::object* labels);
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
