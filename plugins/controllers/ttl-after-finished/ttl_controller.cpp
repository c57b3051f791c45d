#include "ttl_controller.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::ttl {
namespace json = boost::json;

namespace {

// The lastTransitionTime of the job's Complete or Failed condition when one is True:
// when it finished.
std::optional<machinery::Clock::time_point> finish_time(const json::object& job) {
  const auto* conditions = machinery::array_at(job, {"status", "conditions"});
  if (!conditions) return std::nullopt;
  for (const auto& c : *conditions) {
    const auto& condition = machinery::object_or_empty(c.if_object());
    const std::string type = machinery::string_at(condition, {"type"});
    if ((type == "Complete" || type == "Failed") && machinery::string_at(condition, {"status"}) == "True")
      return machinery::parse_time(machinery::string_at(condition, {"lastTransitionTime"}));
  }
  return std::nullopt;
}

}  // namespace

std::optional<machinery::Clock::time_point> expire_time(const json::object& job) {
  if (machinery::has_deletion_timestamp(job)) return std::nullopt;
  const auto ttl = machinery::int_at(job, {"spec", "ttlSecondsAfterFinished"});
  if (!ttl) return std::nullopt;
  const auto finished = finish_time(job);
  if (!finished) return std::nullopt;
  return *finished + std::chrono::seconds(*ttl);
}

TtlSyncer::TtlSyncer(TtlSyncerOptions options, TtlQueue queue)
    : options_(std::move(options)), queue_(std::move(queue)) {}

machinery::Clock::time_point TtlSyncer::now() const {
  return options_.now ? options_.now() : machinery::Clock::now();
}

bool TtlSyncer::expired(const json::object& job, const std::string& key) {
  const auto at = expire_time(job);
  if (!at) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*at - now());
  if (left.count() <= 0) return true;
  queue_.add_after(key, left);
  return false;
}

controller::Result TtlSyncer::sync(const std::string& key) {
  if (!options_.jobs->has_synced()) return controller::Result::requeue_after(std::chrono::milliseconds(100));
  ObjectPtr cached = options_.jobs->get(key);
  if (!cached || !expired(*cached, key)) return controller::Result::done();
  // The cache may be behind a TTL that was raised or removed: decide on a fresh read.
  ObjectPtr fresh;
  try {
    fresh =
        options_.client->get(machinery::kJobs, machinery::namespace_of(*cached), machinery::name_of(*cached));
  } catch (const ApiError& e) {
    if (is_not_found(e)) return controller::Result::done();
    throw;
  }
  if (!fresh || !expired(*fresh, key)) return controller::Result::done();
  DeleteOptions options;
  options.propagation_policy = "Foreground";
  options.precondition_uid = machinery::uid_of(*fresh);
  if (options_.log) options_.log->info("cleaning up job {} after its ttlSecondsAfterFinished", key);
  try {
    options_.client->remove(machinery::kJobs, machinery::namespace_of(*fresh), machinery::name_of(*fresh),
                            options);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  return controller::Result::done();
}

InformerHandlers TtlSyncer::job_handlers() {
  auto add = [this](const ObjectPtr& job) {
    if (expire_time(*job)) queue_.add(object_key(*job));
  };
  return {add, [add](const ObjectPtr&, const ObjectPtr& job) { add(job); }, nullptr};
}

TtlAfterFinishedController::TtlAfterFinishedController(const controller::ControllerDeps& deps,
                                                       unsigned workers)
    : jobs_(deps.informers->informer(machinery::kJobs)) {
  controller::LoopSettings settings;
  settings.name = "ttl-after-finished";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return syncer_->sync(key); }, deps.log);
  TtlSyncerOptions options;
  options.client = deps.client;
  options.jobs = jobs_;
  options.log = deps.log;
  syncer_ = std::make_unique<TtlSyncer>(
      std::move(options), TtlQueue{[this](const std::string& key) { loop_->add(key); },
                                   [this](const std::string& key, std::chrono::milliseconds delay) {
                                     loop_->add_after(key, delay);
                                   }});
}

TtlAfterFinishedController::~TtlAfterFinishedController() {
  stop();
}

void TtlAfterFinishedController::start() {
  if (!handlers_.empty()) return;
  handlers_.push_back(jobs_->add_handlers(syncer_->job_handlers()));
  loop_->start();
}

void TtlAfterFinishedController::stop() {
  handlers_.clear();
  loop_->stop();
}

}  // namespace ukube::controllers::ttl
