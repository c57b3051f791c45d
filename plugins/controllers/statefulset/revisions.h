#pragma once

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

// The ControllerRevisions a StatefulSet keeps of its pod template (upstream's
// history package and getPatch): `data` is a strategic merge patch
// {"spec":{"template":{...,"$patch":"replace"}}} so that `kubectl rollout undo` applies
// it as is; the name is `<set>-<hash of data and collisionCount>`.
namespace ukube::controllers::statefulset {

boost::json::object revision_data(const boost::json::object& set);
std::string revision_hash(const boost::json::object& data, int64_t collision_count);
// A new revision number `number` owned by `set`, labelled with the template's labels and
// controller-revision-hash.
boost::json::object new_revision(const boost::json::object& set, const boost::json::object& data,
                                 int64_t number, int64_t collision_count);
// The pod template a revision holds.
boost::json::object revision_template(const boost::json::object& revision);
int64_t revision_number(const boost::json::object& revision);
bool same_data(const boost::json::object& revision, const boost::json::object& data);

}  // namespace ukube::controllers::statefulset
