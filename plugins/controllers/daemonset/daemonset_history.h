#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/informer.h"
#include "ukube/labels.h"

// A DaemonSet's ControllerRevisions, as upstream's daemonset history code keeps them: one
// revision per distinct template, its data the strategic-merge patch that restores the
// template ({"spec":{"template":{..., "$patch":"replace"}}}, what `kubectl rollout undo`
// sends), named <ds>-<hash> and labelled with the template's labels plus
// controller-revision-hash, so `kubectl rollout history` finds it by the DaemonSet's
// selector. The newest template always has the highest revision number.
namespace ukube::controllers::daemonset {

struct History {
  ObjectPtr current;  // the revision of the DaemonSet's template
  std::string hash;   // its controller-revision-hash
  std::vector<ObjectPtr> old;
};

// The patch a revision of `ds` holds.
boost::json::object revision_data(const boost::json::object& ds);

// What the DaemonSet's revisions say (adopting orphans `selector` matches), creating or
// renumbering the current one. A name
// taken by another template raises status.collisionCount (written here) and throws, so the
// sync runs again with a new hash.
// `revisions` must carry the controllerUID and orphans indexes (cache_indexes.h).
History construct_history(Client& client, const Informer& revisions, const boost::json::object& ds,
                          const LabelSelector& selector);

// Deletes old revisions beyond spec.revisionHistoryLimit, oldest first, except those whose
// hash a live pod still carries.
void cleanup_history(Client& client, const boost::json::object& ds, const History& history,
                     const std::set<std::string>& live_hashes);

}  // namespace ukube::controllers::daemonset
