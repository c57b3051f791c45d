#include "ukube/controller/leader_election.h"

#include <unistd.h>

#include <random>

#include <boost/json/object.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

using machinery::kLeases;

std::string field(const json::object& spec, const char* key) {
  return machinery::string_at(spec, {key});
}

}  // namespace

std::string default_identity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + "_" + std::to_string(rd() % 1000000);
}

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaseSettings settings,
                             LeaderCallbacks callbacks)
    : client_(std::move(client)), settings_(std::move(settings)), callbacks_(std::move(callbacks)) {}

LeaderElector::~LeaderElector() {
  stop();
}

void LeaderElector::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  if (!running_.exchange(false)) return;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (leader_) {
    release();
    leader_ = false;
    if (callbacks_.stopped_leading) callbacks_.stopped_leading();
  }
}

bool LeaderElector::try_acquire_or_renew() {
  const auto now = std::chrono::steady_clock::now();
  const std::string stamp = machinery::format_micro_time(machinery::Clock::now());
  const int64_t duration_s =
      std::chrono::duration_cast<std::chrono::seconds>(settings_.lease_duration).count();
  ObjectPtr current;
  try {
    current = client_->get(kLeases, settings_.ns, settings_.name);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) return false;
  }
  if (!current) {
    json::object lease{{"apiVersion", "coordination.k8s.io/v1"},
                       {"kind", "Lease"},
                       {"metadata", {{"name", settings_.name}, {"namespace", settings_.ns}}},
                       {"spec",
                        {{"holderIdentity", settings_.identity},
                         {"leaseDurationSeconds", duration_s},
                         {"acquireTime", stamp},
                         {"renewTime", stamp},
                         {"leaseTransitions", 0}}}};
    try {
      client_->create(kLeases, settings_.ns, lease);
    } catch (const ApiError&) {
      return false;
    }
    observed_record_ = settings_.identity + "/" + stamp;
    observed_at_ = now;
    return true;
  }
  json::object lease = *current;
  json::object& spec =
      lease["spec"].is_object() ? lease["spec"].get_object() : (lease["spec"] = json::object{}).get_object();
  const std::string holder = field(spec, "holderIdentity");
  const std::string record = holder + "/" + field(spec, "renewTime");
  if (record != observed_record_) {
    observed_record_ = record;
    observed_at_ = now;
  }
  std::chrono::milliseconds duration = settings_.lease_duration;
  if (const auto* d = spec.if_contains("leaseDurationSeconds"); d && d->is_int64())
    duration = std::chrono::seconds(d->get_int64());
  const bool mine = holder == settings_.identity;
  if (!mine && !holder.empty() && observed_at_ + duration > now) return false;  // held by a live leader

  if (!mine) {
    spec["acquireTime"] = stamp;
    int64_t transitions = 0;
    if (const auto* t = spec.if_contains("leaseTransitions"); t && t->is_int64())
      transitions = t->get_int64();
    spec["leaseTransitions"] = transitions + 1;
  }
  spec["holderIdentity"] = settings_.identity;
  spec["leaseDurationSeconds"] = duration_s;
  spec["renewTime"] = stamp;
  try {
    // The resourceVersion in `lease` makes this a compare-and-swap: two servers racing
    // for an expired lease cannot both win.
    client_->update(kLeases, settings_.ns, lease);
  } catch (const ApiError&) {
    return false;
  }
  observed_record_ = settings_.identity + "/" + stamp;
  observed_at_ = now;
  return true;
}

void LeaderElector::release() {
  try {
    ObjectPtr current = client_->get(kLeases, settings_.ns, settings_.name);
    json::object lease = *current;
    auto& spec = lease["spec"].as_object();
    if (field(spec, "holderIdentity") != settings_.identity) return;
    spec["holderIdentity"] = "";
    spec["renewTime"] = machinery::format_micro_time(machinery::Clock::now());
    spec["leaseDurationSeconds"] = 1;
    client_->update(kLeases, settings_.ns, lease);
  } catch (const std::exception&) {
    // Not releasing only delays the next leader by one lease duration.
  }
}

void LeaderElector::run() {
  while (running_) {
    const auto now = std::chrono::steady_clock::now();
    bool held = false;
    try {
      held = try_acquire_or_renew();
    } catch (const std::exception&) {
      held = false;
    }
    if (held) {
      last_renewed_ = now;
      if (!leader_.exchange(true) && callbacks_.started_leading) callbacks_.started_leading();
    } else if (leader_ && now - last_renewed_ > settings_.renew_deadline) {
      leader_ = false;
      if (callbacks_.stopped_leading) callbacks_.stopped_leading();
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, settings_.retry_period, [&] { return !running_; });
  }
}

}  // namespace ukube::controller
