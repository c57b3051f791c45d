#pragma once

#include <boost/json/fwd.hpp>

#include "webhook_config.h"

// metav1.LabelSelector semantics for namespaceSelector and objectSelector.
namespace ukube::webhook {

// Every matchLabels pair and every matchExpressions requirement must hold; an empty
// selector matches everything. A requirement upstream could not convert (an unknown
// operator, In without values) matches nothing, so a broken selector never widens a match.
bool selector_matches(const boost::json::object& selector, const Labels& labels);

// The metadata.labels of an object (empty when it has none).
Labels labels_of(const boost::json::object& object);

}  // namespace ukube::webhook
