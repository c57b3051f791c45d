#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/types.h"

// The status.conditions upstream's namespace deleter keeps on a namespace being deleted:
// five types, each False with a fixed reason and message while that part of the deletion
// goes well, True with what went wrong otherwise. Every pass writes all five.
namespace ukube::controllers::namespace_ {

inline constexpr std::string_view kDiscoveryFailure = "NamespaceDeletionDiscoveryFailure";
inline constexpr std::string_view kGroupVersionParsingFailure = "NamespaceDeletionGroupVersionParsingFailure";
inline constexpr std::string_view kContentFailure = "NamespaceDeletionContentFailure";
inline constexpr std::string_view kContentRemaining = "NamespaceContentRemaining";
inline constexpr std::string_view kFinalizersRemaining = "NamespaceFinalizersRemaining";

// What a deletion pass left in the namespace.
struct RemainingContent {
  std::vector<std::pair<GroupVersionResource, int>> resources;  // objects left, per resource
  std::map<std::string, int> finalizers;                        // objects each finalizer holds
};

// Collects what one pass found, then writes the conditions.
class DeletionConditions {
 public:
  // The served resources could not (all) be read.
  void discovery_failed(const std::string& message);
  // One resource could not be emptied; `message` says why.
  void content_deletion_failed(const std::string& message);
  void remaining(const RemainingContent& content);

  // Puts the five conditions into `ns`'s status.conditions, in upstream's order; a
  // condition's lastTransitionTime moves only when its status does. True when any changed.
  bool apply(boost::json::object& ns, std::string_view now) const;

 private:
  std::map<std::string, boost::json::object, std::less<>> failing_;  // True conditions, by type
  std::vector<std::string> content_errors_;
};

}  // namespace ukube::controllers::namespace_
