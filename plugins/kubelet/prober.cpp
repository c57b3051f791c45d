#include "prober.h"

namespace ukube::kubelet {
namespace {

ProbeResult initial_result(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::Readiness: return ProbeResult::Failure;
    case ProbeKind::Liveness: return ProbeResult::Success;
    case ProbeKind::Startup: return ProbeResult::Unknown;
  }
  return ProbeResult::Unknown;
}

}  // namespace

Prober::Prober(unsigned threads, Changed changed, Unhealthy unhealthy)
    : changed_(std::move(changed)), unhealthy_(std::move(unhealthy)) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

Prober::~Prober() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

std::string Prober::key_of(const std::string& container_id, ProbeKind kind) {
  return container_id + "/" + probe_name(kind);
}

void Prober::ensure(const ProbeRequest& request) {
  const std::string key = key_of(request.container_id, request.kind);
  std::lock_guard lock(mutex_);
  if (workers_.count(key)) return;
  auto worker = std::make_shared<Worker>();
  worker->request = request;
  worker->result = initial_result(request.kind);
  workers_.emplace(key, worker);
  // The first run waits for initialDelaySeconds from the container's start.
  const auto since_start = std::chrono::system_clock::now() - request.started;
  const auto delay = std::max(std::chrono::steady_clock::duration::zero(),
                              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  request.spec.initial_delay - since_start));
  due_.emplace(std::chrono::steady_clock::now() + delay, key);
  wake_.notify_one();
}

void Prober::retain(const std::string& pod, const std::set<std::string>& running) {
  std::lock_guard lock(mutex_);
  for (auto it = workers_.begin(); it != workers_.end();) {
    const auto& r = it->second->request;
    if (r.pod == pod && !running.count(r.container_id)) {
      it->second->removed = true;
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

ProbeResult Prober::result(const std::string& container_id, ProbeKind kind) const {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(key_of(container_id, kind));
  return it == workers_.end() ? initial_result(kind) : it->second->result;
}

void Prober::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto next = due_.begin();
    if (next->first > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, next->first);
      continue;
    }
    const std::string key = next->second;
    due_.erase(next);
    auto found = workers_.find(key);
    if (found == workers_.end()) continue;  // removed meanwhile
    std::shared_ptr<Worker> worker = found->second;
    // A startup probe that succeeded is done, as upstream's; liveness and readiness
    // wait for it to succeed.
    if (worker->request.kind == ProbeKind::Startup && worker->result == ProbeResult::Success) continue;
    if (worker->request.kind != ProbeKind::Startup) {
      auto startup = workers_.find(key_of(worker->request.container_id, ProbeKind::Startup));
      if (startup != workers_.end() && startup->second->result != ProbeResult::Success) {
        due_.emplace(std::chrono::steady_clock::now() + worker->request.spec.period, key);
        continue;
      }
    }
    worker->running = true;
    lock.unlock();
    const ProbeOutcome outcome = run_probe(worker->request.spec, worker->request.target);
    lock.lock();
    worker->running = false;
    if (worker->removed) continue;
    worker->streak = outcome.success == worker->last_success ? worker->streak + 1 : 1;
    worker->last_success = outcome.success;
    const int needed =
        outcome.success ? worker->request.spec.success_threshold : worker->request.spec.failure_threshold;
    const ProbeResult before = worker->result;
    if (worker->streak >= needed)
      worker->result = outcome.success ? ProbeResult::Success : ProbeResult::Failure;
    due_.emplace(std::chrono::steady_clock::now() + worker->request.spec.period, key);
    const bool changed = before != worker->result;
    const ProbeRequest request = worker->request;
    lock.unlock();
    if (!outcome.success)
      unhealthy_(request, std::string(probe_name(request.kind)) + " probe failed: " + outcome.output);
    if (changed) changed_(request.pod);
    lock.lock();
  }
}

}  // namespace ukube::kubelet
