#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/machinery/export.h"
#include "ukube/machinery/time.h"

// Which pods a controller deletes first when it scales down: upstream's
// ActivePodsWithRanks with the LogarithmicScaleDown behaviour (on by default since 1.22).
// A pod comes before another when, deciding by the first rule that tells them apart,
//  1. it is not assigned to a node and the other is;
//  2. its phase is earlier: Pending < Unknown < Running (any other phase counts as Pending);
//  3. it is not ready and the other is;
//  4. its controller.kubernetes.io/pod-deletion-cost is lower;
//  5. its rank is higher (the controllers give the number of active pods of the same
//     owner on its node: doubled-up pods go first);
//  6. both are ready and it has been ready for less time: ready times compared in
//     buckets of log2(nanoseconds since), the uid deciding within a bucket; exact ties
//     go on to the next rule;
//  7. one of its containers restarted more often than any container of the other;
//  8. it is newer: creation times compared the same logarithmic way, uid within a bucket.
// A missing time counts as newest in 6 and 8; without a reference time (`now`) times are
// compared directly.
namespace ukube::controller {

// The annotation rule 4 reads: a 32-bit integer, written without "+" or leading zeros;
// anything else counts as 0.
inline constexpr std::string_view kPodDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";
UKUBE_MACHINERY_API int32_t pod_deletion_cost(const boost::json::object& pod);

// Whether `a` (of rank `rank_a`) is to be deleted before `b`.
UKUBE_MACHINERY_API bool delete_before(const boost::json::object& a, int rank_a, const boost::json::object& b,
                                       int rank_b, std::optional<machinery::Clock::time_point> now);

struct RankedPod {
  ObjectPtr pod;
  int rank = 0;
};

// Sorts `pods` into deletion order. The order is a stable sort's, so pods no rule tells
// apart keep their relative order.
UKUBE_MACHINERY_API void sort_for_deletion(std::vector<RankedPod>& pods,
                                           std::optional<machinery::Clock::time_point> now);

// Each of `pods` ranked by the number of active pods in `related` (usually a superset of
// `pods`: every pod of the owner's owner) on the same node, as upstream ranks a
// ReplicaSet's pods by their Deployment's pods.
UKUBE_MACHINERY_API std::vector<RankedPod> rank_by_colocation(const std::vector<ObjectPtr>& pods,
                                                              const std::vector<ObjectPtr>& related);

// The `count` pods of `pods` to delete first, ranked by colocation with `related`
// (upstream's getPodsToDelete). All of them, unsorted, when count >= pods.size().
UKUBE_MACHINERY_API std::vector<ObjectPtr> pods_to_delete(const std::vector<ObjectPtr>& pods,
                                                          const std::vector<ObjectPtr>& related, size_t count,
                                                          machinery::Clock::time_point now);

}  // namespace ukube::controller
