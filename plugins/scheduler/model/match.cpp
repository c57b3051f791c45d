#include "model/match.h"

#include <algorithm>

#include "ukube/machinery/labels.h"

namespace ukube::scheduler {
namespace {

bool contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

bool term_selects_namespace(const PodAffinityTerm& term, std::string_view owner_ns, std::string_view ns,
                            const Labels* ns_labels) {
  if (term.namespaces.empty() && !term.namespace_selector) return ns == owner_ns;
  if (contains(term.namespaces, ns)) return true;
  if (term.namespace_selector) {
    static const Labels kNone;
    return matches(*term.namespace_selector, ns_labels ? *ns_labels : kNone);
  }
  return false;
}

bool term_matches_pod(const PodAffinityTerm& term, std::string_view owner_ns, const PodInfo& other,
                      const Labels* other_ns_labels) {
  return term_selects_namespace(term, owner_ns, other.ns, other_ns_labels) &&
         matches(term.selector, other.labels);
}

}  // namespace ukube::scheduler
