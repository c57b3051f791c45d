#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/labels.h"
#include "ukube/machinery/export.h"

// Label selectors as upstream's apimachinery parses, prints and matches them: the text
// form of `?labelSelector=` and `kubectl -l`, and metav1.LabelSelector objects.
namespace ukube::machinery {

// A selector that does not parse; what() is upstream's message, e.g.
// `unable to parse requirement: found ')', expected: identifier`.
class UKUBE_MACHINERY_API SelectorError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// "app=web,tier in (a,b),!legacy,x>3"; requirements sorted by key, as upstream's Parse.
// Empty text selects everything. Throws SelectorError.
UKUBE_MACHINERY_API LabelSelector parse_selector(std::string_view text);

// metav1.LabelSelector → selector (upstream's LabelSelectorAsSelector): matchLabels become
// Equals, an empty selector matches everything. Null when an operator is unknown or its
// values do not fit it; `error` (if given) then says why.
UKUBE_MACHINERY_API std::optional<LabelSelector> selector_from_json(const boost::json::object& selector,
                                                                    std::string* error = nullptr);
// As above, but a null selector and one that does not convert match nothing, so a broken
// selector never widens a match.
UKUBE_MACHINERY_API LabelSelector selector_from_json_or_nothing(const boost::json::object* selector);
// A plain label map as a selector of Equals requirements (Service and RC spec.selector).
UKUBE_MACHINERY_API LabelSelector selector_from_map(const boost::json::object& labels);

// Upstream's String(): "app=web,tier in (a,b)"; requirements sorted by key, In/NotIn
// values sorted; "" for an empty selector and for nothing, as upstream.
UKUBE_MACHINERY_API std::string to_string(const LabelSelector& selector);
UKUBE_MACHINERY_API std::string to_string(const Requirement& requirement);
// The selector text of a metav1.LabelSelector, as `kubectl get -o wide` and the
// scale subresource's status.selector print it; "<none>" for a null selector.
UKUBE_MACHINERY_API std::string selector_string(const boost::json::object* selector);

// The operator of a metav1.LabelSelectorRequirement or core/v1 NodeSelectorRequirement as
// written in JSON ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"); null for any other.
// Label selectors take the first four only.
UKUBE_MACHINERY_API std::optional<SelectorOp> operator_from_json(std::string_view op);

// Why upstream's NewRequirement refuses `requirement` (its key, or values that do not fit
// its operator), "" when it is valid.
UKUBE_MACHINERY_API std::string requirement_error(const Requirement& requirement);

UKUBE_MACHINERY_API bool matches(const Requirement& requirement, const Labels& labels);
// The requirement against the one value its key has (a field such as metadata.name).
UKUBE_MACHINERY_API bool matches_value(const Requirement& requirement, std::string_view value);
UKUBE_MACHINERY_API bool matches(const LabelSelector& selector, const Labels& labels);
// Against a JSON label map (metadata.labels), without copying it; null: no labels.
UKUBE_MACHINERY_API bool matches(const LabelSelector& selector, const boost::json::object* labels);

// A JSON label map as Labels (non-string values are skipped); null: no labels.
UKUBE_MACHINERY_API Labels to_labels(const boost::json::object* labels);
// metadata.labels of an object.
UKUBE_MACHINERY_API const boost::json::object* labels_of(const boost::json::object& object);
// "a=b,c=d" sorted by key, as kubectl's --show-labels; "<none>" for no labels.
UKUBE_MACHINERY_API std::string format_labels(const boost::json::object* labels);

}  // namespace ukube::machinery
