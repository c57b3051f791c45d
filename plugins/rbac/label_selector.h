#pragma once

#include <map>
#include <string>

#include <boost/json/fwd.hpp>

namespace ukube::rbac {

// metav1.LabelSelector semantics: every matchLabels pair and every matchExpressions
// requirement must hold; an empty selector matches everything. A selector with an
// unknown operator matches nothing, as upstream refuses to convert it.
bool selector_matches(const boost::json::object& selector, const std::map<std::string, std::string>& labels);

}  // namespace ukube::rbac
