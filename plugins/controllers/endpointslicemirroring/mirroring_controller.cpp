#include "mirroring_controller.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/json.hpp>

#include "mirrored_slices.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::controllers::mirroring {
namespace json = boost::json;
using controller::Result;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSlicesByEndpointsIndex = "endpointslicemirroring-controller.k8s.io/endpoints";
constexpr auto kCacheRetry = 100ms;

std::vector<std::string> index_mirrored_slice(const json::object& slice) {
  auto labels = machinery::string_map_at(slice, {"metadata", "labels"});
  auto managed = labels.find(machinery::kManagedByLabel);
  auto service = labels.find(machinery::kServiceNameLabel);
  if (managed == labels.end() || managed->second != kControllerName || service == labels.end()) return {};
  return {machinery::namespace_of(slice) + "/" + service->second};
}

int64_t revision_of(const json::object& object) {
  try {
    return std::stoll(machinery::meta_string(object, "resourceVersion"));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

MirroringController::MirroringController(const controller::ControllerDeps& deps, MirroringSettings settings)
    : client_(deps.client),
      events_(deps.events),
      log_(deps.log),
      settings_(settings),
      endpoints_(deps.informers->informer(machinery::kEndpoints)),
      services_(deps.informers->informer(machinery::kServices)),
      slices_(deps.informers->informer(machinery::kEndpointSlices)) {
  indexers_.push_back(slices_->add_indexer(kSlicesByEndpointsIndex, index_mirrored_slice));
  controller::LoopSettings loop;
  loop.name = "endpointslice_mirroring";
  loop.workers = settings_.workers;
  loop.limits.base_delay = 1s;  // upstream's rate limits for this controller
  loop.limits.max_delay = 100s;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      loop, [this](const std::string& key) { return sync(key); }, log_);
}

MirroringController::~MirroringController() {
  stop();
}

void MirroringController::start() {
  if (!handlers_.empty()) return;
  auto by_key = [this](const ObjectPtr& o) { loop_->add(object_key(*o)); };
  InformerHandlers keyed{by_key, [by_key](const ObjectPtr&, const ObjectPtr& o) { by_key(o); }, by_key};
  handlers_.push_back(endpoints_->add_handlers(keyed));
  handlers_.push_back(services_->add_handlers(keyed));
  auto by_slice = [this](const ObjectPtr& slice) {
    for (const auto& key : index_mirrored_slice(*slice)) loop_->add(key);
  };
  handlers_.push_back(slices_->add_handlers(
      {by_slice, [by_slice](const ObjectPtr&, const ObjectPtr& o) { by_slice(o); }, by_slice}));
  loop_->start();
}

void MirroringController::stop() {
  handlers_.clear();
  loop_->stop();
}

std::vector<ObjectPtr> MirroringController::mirrored_slices(const std::string& key) const {
  std::vector<ObjectPtr> out;
  for (auto& slice : slices_->by_index(kSlicesByEndpointsIndex, key))
    if (slice && !machinery::has_deletion_timestamp(*slice)) out.push_back(std::move(slice));
  std::sort(out.begin(), out.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    return machinery::name_of(*a) < machinery::name_of(*b);
  });
  return out;
}

bool MirroringController::cache_caught_up(const std::string& key, const std::vector<ObjectPtr>& slices) {
  std::lock_guard lock(mutex_);
  auto it = written_.find(key);
  if (it == written_.end()) return true;
  for (const auto& [name, revision] : it->second) {
    auto cached = std::find_if(slices.begin(), slices.end(),
                               [&](const ObjectPtr& s) { return machinery::name_of(*s) == name; });
    if (revision.empty() ? cached != slices.end()
                         : cached == slices.end() || revision_of(**cached) < std::stoll(revision))
      return false;
  }
  written_.erase(it);
  return true;
}

void MirroringController::expect(const std::string& key, const std::string& slice_name,
                                 const std::string& revision) {
  std::lock_guard lock(mutex_);
  written_[key][slice_name] = revision;
}

Result MirroringController::sync(const std::string& key) {
  if (!endpoints_->has_synced() || !services_->has_synced() || !slices_->has_synced())
    return Result::requeue_after(kCacheRetry);
  std::vector<ObjectPtr> existing = mirrored_slices(key);
  if (!cache_caught_up(key, existing)) return Result::requeue_after(kCacheRetry);

  ObjectPtr endpoints = endpoints_->get(key);
  ObjectPtr service = services_->get(key);
  std::vector<DesiredSlice> desired;
  // Mirrored only for a Service without a selector, and unless the Endpoints opt out.
  if (endpoints && service && !machinery::service_selector(*service) && wants_mirroring(*endpoints)) {
    MirrorResult mirrored = mirror(*endpoints, settings_.max_endpoints_per_subset);
    desired = std::move(mirrored.slices);
    if (mirrored.skipped > 0 && events_)
      events_->event(
          *endpoints, "Warning", "AddressesSkipped",
          std::to_string(mirrored.skipped) + " addresses in " + key +
              " Endpoints were skipped due to exceeding MaxEndpointsPerSubset or invalid addresses");
  }

  const std::string ns = key.substr(0, key.find('/'));
  std::vector<bool> reused(existing.size(), false);
  try {
    for (auto& want : desired) {
      // A slice of the same address type and ports is rewritten in place.
      size_t match = existing.size();
      for (size_t i = 0; i < existing.size(); ++i)
        if (!reused[i] && slice_key(*existing[i]) == want.key) {
          match = i;
          break;
        }
      if (match == existing.size()) {
        ObjectPtr created = client_->create(machinery::kEndpointSlices, ns, want.slice);
        if (created)
          expect(key, machinery::name_of(*created), machinery::meta_string(*created, "resourceVersion"));
        continue;
      }
      reused[match] = true;
      const json::object& current = *existing[match];
      if (same_content(current, want.slice)) continue;
      json::object updated = want.slice;
      auto& meta = updated["metadata"].as_object();
      meta.erase("generateName");
      meta["name"] = machinery::name_of(current);
      meta["resourceVersion"] = machinery::meta_string(current, "resourceVersion");
      ObjectPtr written = client_->update(machinery::kEndpointSlices, ns, updated);
      if (written)
        expect(key, machinery::name_of(*written), machinery::meta_string(*written, "resourceVersion"));
    }
    for (size_t i = 0; i < existing.size(); ++i) {
      if (reused[i]) continue;
      const std::string name = machinery::name_of(*existing[i]);
      try {
        client_->remove(machinery::kEndpointSlices, ns, name);
      } catch (const ApiError& e) {
        if (!is_not_found(e)) throw;
      }
      expect(key, name, "");
    }
  } catch (const ApiError& e) {
    if (events_ && endpoints)
      events_->event(*endpoints, "Warning", "FailedToUpdateEndpointSlices",
                     "Error updating Endpoint Slices for Endpoints " + key + ": " + e.what());
    throw;
  }
  return Result::done();
}

}  // namespace ukube::controllers::mirroring
