#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "json_util.h"
#include "ukube/machinery/quantity.h"

// corev1.ResourceList and the arithmetic upstream's quota and limit range code does on
// it (k8s.io/apiserver/pkg/quota/v1 resources.go), with the same semantics: sums keep
// the first operand's format, comparisons only look at names both sides have.
namespace ukube::admission {

using machinery::Quantity;
using machinery::QuantityFormat;
using ResourceList = std::map<std::string, Quantity>;
using ResourceNames = std::set<std::string>;

// Entries that are not quantities are skipped (validation rejects them elsewhere).
ResourceList parse_resource_list(const json::object* list);
json::object to_json(const ResourceList& list);

// list[name] += q for every entry of `other` (addResourceList).
void add_into(ResourceList& list, const ResourceList& other);
// list[name] = max(list[name], q) for every entry of `other` (maxResourceList).
void max_into(ResourceList& list, const ResourceList& other);
ResourceList add(const ResourceList& a, const ResourceList& b);
ResourceList subtract(const ResourceList& a, const ResourceList& b);
// a - b, keeping only names whose difference is positive (SubtractWithNonNegativeResult).
ResourceList subtract_non_negative(const ResourceList& a, const ResourceList& b);
ResourceList mask(const ResourceList& list, const ResourceNames& names);
ResourceList remove_zeros(const ResourceList& list);
ResourceNames names_of(const ResourceList& list);
ResourceNames negative_names(const ResourceList& list);
// Whether a <= b for every name in both; `exceeded` gets the names where it is not.
bool less_than_or_equal(const ResourceList& a, const ResourceList& b, ResourceNames* exceeded = nullptr);
// Same names and equal values.
bool equal(const ResourceList& a, const ResourceList& b);
// "name=value,..." sorted by name, as upstream's quota messages print lists.
std::string pretty_print(const ResourceList& list);
// "name,..." sorted.
std::string join_names(const ResourceNames& names, const std::string& separator = ",");

// A container's resources.requests / resources.limits.
ResourceList container_requests(const json::object& container);
ResourceList container_limits(const json::object& container);

// What a pod asks for and is limited to, as upstream's resourcehelper.PodRequests and
// PodLimits compute it: the containers' sum, raised to any init container's need (with
// restartable init containers, i.e. sidecars, running alongside), plus the pod overhead
// when `with_overhead`.
ResourceList pod_requests(const json::object& pod_spec, bool with_overhead);
ResourceList pod_limits(const json::object& pod_spec, bool with_overhead);

// Every container and init container of a pod spec, for edits.
void for_each_container(json::object& pod_spec, const std::function<void(json::object&, bool init)>& fn);
void for_each_container(const json::object& pod_spec,
                        const std::function<void(const json::object&, bool init)>& fn);

}  // namespace ukube::admission
