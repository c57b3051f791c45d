#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"
#include "ukube/machinery/quantity.h"

// corev1.ResourceList and the arithmetic upstream's quota and limit range code does on
// it (k8s.io/apiserver/pkg/quota/v1 resources.go), with the same semantics: sums keep
// the first operand's format, comparisons only look at names both sides have.
namespace ukube::machinery {

namespace json = boost::json;

using ResourceList = std::map<std::string, Quantity>;
using ResourceNames = std::set<std::string>;

// Entries that are not quantities are skipped (validation rejects them elsewhere).
UKUBE_MACHINERY_API ResourceList parse_resource_list(const json::object* list);
UKUBE_MACHINERY_API json::object to_json(const ResourceList& list);

// list[name] += q for every entry of `other` (addResourceList).
UKUBE_MACHINERY_API void add_into(ResourceList& list, const ResourceList& other);
// list[name] = max(list[name], q) for every entry of `other` (maxResourceList).
UKUBE_MACHINERY_API void max_into(ResourceList& list, const ResourceList& other);
UKUBE_MACHINERY_API ResourceList add(const ResourceList& a, const ResourceList& b);
UKUBE_MACHINERY_API ResourceList subtract(const ResourceList& a, const ResourceList& b);
// a - b, keeping only names whose difference is positive (SubtractWithNonNegativeResult).
UKUBE_MACHINERY_API ResourceList subtract_non_negative(const ResourceList& a, const ResourceList& b);
UKUBE_MACHINERY_API ResourceList mask(const ResourceList& list, const ResourceNames& names);
UKUBE_MACHINERY_API ResourceList remove_zeros(const ResourceList& list);
UKUBE_MACHINERY_API ResourceNames names_of(const ResourceList& list);
UKUBE_MACHINERY_API ResourceNames negative_names(const ResourceList& list);
// Whether a <= b for every name in both; `exceeded` gets the names where it is not.
UKUBE_MACHINERY_API bool less_than_or_equal(const ResourceList& a, const ResourceList& b,
                                            ResourceNames* exceeded = nullptr);
// Same names and equal values.
UKUBE_MACHINERY_API bool equal(const ResourceList& a, const ResourceList& b);
// "name=value,..." sorted by name, as upstream's quota messages print lists.
UKUBE_MACHINERY_API std::string pretty_print(const ResourceList& list);
// "name,..." sorted.
UKUBE_MACHINERY_API std::string join_names(const ResourceNames& names, const std::string& separator = ",");

// A container's resources.requests / resources.limits.
UKUBE_MACHINERY_API ResourceList container_requests(const json::object& container);
UKUBE_MACHINERY_API ResourceList container_limits(const json::object& container);

// What a pod asks for and is limited to, as upstream's resourcehelper.PodRequests and
// PodLimits compute it: the containers' sum, raised to any init container's need (with
// restartable init containers, i.e. sidecars, running alongside), plus the pod overhead
// when `with_overhead`.
UKUBE_MACHINERY_API ResourceList pod_requests(const json::object& pod_spec, bool with_overhead);
UKUBE_MACHINERY_API ResourceList pod_limits(const json::object& pod_spec, bool with_overhead);

// Every container and init container of a pod spec, for edits.
UKUBE_MACHINERY_API void for_each_container(json::object& pod_spec,
                                            const std::function<void(json::object&, bool init)>& fn);
UKUBE_MACHINERY_API void for_each_container(const json::object& pod_spec,
                                            const std::function<void(const json::object&, bool init)>& fn);

}  // namespace ukube::machinery
