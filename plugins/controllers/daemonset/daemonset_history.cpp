#include "daemonset_history.h"

#include <algorithm>
#include <stdexcept>

#include <boost/json.hpp>

#include "daemonset_util.h"
#include "ukube/controller/cache_indexes.h"
#include "ukube/controller/controller_ref_manager.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::daemonset {
namespace json = boost::json;
using machinery::int_or;

namespace {

int64_t revision_number(const json::object& revision) {
  return int_or(revision, {"revision"}, 0);
}

// Revisions compare by what they restore; key order does not matter.
bool same_data(const json::object& revision, const std::string& data) {
  const auto* have = revision.if_contains("data");
  return have && canonical(*have) == data;
}

std::optional<int64_t> collision_count(const json::object& ds) {
  return machinery::int_at(ds, {"status", "collisionCount"});
}

}  // namespace

json::object revision_data(const json::object& ds) {
  json::object pod_template = machinery::object_or_empty(machinery::object_at(ds, {"spec", "template"}));
  pod_template["$patch"] = "replace";
  return {{"spec", json::object{{"template", std::move(pod_template)}}}};
}

namespace {

// The DaemonSet's revisions: those it controls, and orphans its selector matches, which it
// adopts (a DaemonSet deleted with --cascade=orphan and created again keeps its history).
std::vector<ObjectPtr> claim_revisions(Client& client, const Informer& revisions, const json::object& ds,
                                       const LabelSelector& selector) {
  const std::string ns = machinery::namespace_of(ds);
  std::vector<ObjectPtr> candidates;
  for (const auto& revision : revisions.by_index(controller::kControllerUidIndex, machinery::uid_of(ds)))
    if (machinery::namespace_of(*revision) == ns) candidates.push_back(revision);
  for (const auto& revision : revisions.by_index(controller::kOrphansIndex, ns))
    candidates.push_back(revision);
  controller::ControllerRefManager refs(
      client, machinery::kControllerRevisions, "ControllerRevision", ds, kDaemonSetKind, selector,
      controller::recheck_owner(client, machinery::kDaemonSets, kDaemonSetKind.kind, ds));
  auto claimed = refs.claim(candidates);
  if (!claimed.errors.empty()) throw std::runtime_error(claimed.error());
  return claimed.objects;
}

}  // namespace

History construct_history(Client& client, const Informer& revisions, const json::object& ds,
                          const LabelSelector& selector) {
  const std::string ns = machinery::namespace_of(ds);
  const json::object data = revision_data(ds);
  const std::string rendered = canonical(data);
  History history;
  int64_t max_revision = 0;
  std::vector<ObjectPtr> matching;
  for (const auto& revision : claim_revisions(client, revisions, ds, selector)) {
    max_revision = std::max(max_revision, revision_number(*revision));
    if (same_data(*revision, rendered))
      matching.push_back(revision);
    else
      history.old.push_back(revision);
  }
  // Duplicates (two revisions of one template) keep the newest; the rest are old.
  std::sort(matching.begin(), matching.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return revision_number(*a) > revision_number(*b); });
  for (size_t i = 1; i < matching.size(); ++i) history.old.push_back(matching[i]);

  if (!matching.empty()) {
    history.current = matching.front();
    if (revision_number(*history.current) < max_revision) {
      // A rollback to this template: it becomes the newest revision again.
      json::object renumbered = *history.current;
      renumbered["revision"] = max_revision + 1;
      history.current = client.update(machinery::kControllerRevisions, ns, renumbered);
    }
  } else {
    const auto& template_ = machinery::object_or_empty(machinery::object_at(ds, {"spec", "template"}));
    const std::string hash = template_hash(template_, collision_count(ds));
    json::object revision{{"apiVersion", "apps/v1"},
                          {"kind", "ControllerRevision"},
                          {"data", data},
                          {"revision", max_revision + 1}};
    json::object meta{{"name", machinery::name_of(ds) + "-" + hash}, {"namespace", ns}};
    json::object labels = machinery::object_or_empty(machinery::object_at(template_, {"metadata", "labels"}));
    labels[kRevisionHashLabel] = hash;
    meta["labels"] = std::move(labels);
    if (const auto* annotations = machinery::object_at(ds, {"metadata", "annotations"}))
      meta["annotations"] = *annotations;
    meta["ownerReferences"] = json::array{machinery::controller_ref(ds, kDaemonSetKind)};
    revision["metadata"] = std::move(meta);
    try {
      history.current = client.create(machinery::kControllerRevisions, ns, revision);
    } catch (const ApiError& e) {
      if (!is_already_exists(e)) throw;
      ObjectPtr existing = client.get(machinery::kControllerRevisions, ns, machinery::name_of(revision));
      if (!existing || !machinery::is_controlled_by(*existing, machinery::uid_of(ds)) ||
          !same_data(*existing, rendered)) {
        // Another template holds the name: move the hash and try again.
        json::object updated = ds;
        machinery::child(updated, "status")["collisionCount"] = collision_count(ds).value_or(0) + 1;
        client.update(machinery::kDaemonSets, ns, updated, {}, "status");
        throw std::runtime_error("found a hash collision for DaemonSet " + machinery::name_of(ds) +
                                 ": raised collisionCount to resolve it");
      }
      history.current = existing;
    }
  }
  history.hash = machinery::string_at(*history.current, {"metadata", "labels", kRevisionHashLabel});
  if (history.hash.empty()) history.hash = machinery::name_of(*history.current);
  return history;
}

void cleanup_history(Client& client, const json::object& ds, const History& history,
                     const std::set<std::string>& live_hashes) {
  const int64_t limit = int_or(ds, {"spec", "revisionHistoryLimit"}, 10);
  std::vector<ObjectPtr> removable;
  for (const auto& revision : history.old)
    if (!live_hashes.count(machinery::string_at(*revision, {"metadata", "labels", kRevisionHashLabel})))
      removable.push_back(revision);
  if (static_cast<int64_t>(removable.size()) <= limit) return;
  std::sort(removable.begin(), removable.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return revision_number(*a) < revision_number(*b); });
  const size_t excess = removable.size() - static_cast<size_t>(limit);
  for (size_t i = 0; i < excess; ++i) {
    try {
      client.remove(machinery::kControllerRevisions, machinery::namespace_of(ds),
                    machinery::name_of(*removable[i]));
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;
    }
  }
}

}  // namespace ukube::controllers::daemonset
