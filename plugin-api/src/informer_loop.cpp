#include <boost/json.hpp>
#include <random>

#include "informer_state.h"

namespace ukube {
namespace {

constexpr int64_t kListPage = 500;
constexpr size_t kEventBatch = 256;
// Batches per step: then the step yields its thread to other informers and comes back.
constexpr int kBatchesPerStep = 4;
// A notifying stream is still polled now and then: bookmarks and the watch's own timeout
// are noticed only by polling.
constexpr auto kIdleRecheck = std::chrono::seconds(5);
// Streams that cannot notify (remote, test fakes) are polled, backing off while idle.
constexpr auto kMinPollBackoff = std::chrono::milliseconds(1);
constexpr auto kMaxPollBackoff = std::chrono::milliseconds(50);
constexpr auto kMaxErrorBackoff = std::chrono::milliseconds(5000);

std::string revision_of(const ObjectPtr& object) {
  auto* meta = object->if_contains("metadata");
  auto* rv = meta && meta->is_object() ? meta->get_object().if_contains("resourceVersion") : nullptr;
  return rv && rv->is_string() ? std::string(rv->get_string()) : std::string();
}

}  // namespace

void Informer::State::run(detail::InformerPool& pool) {
  {
    std::lock_guard lock(scheduling_);
    if (!stopping_) return;
    pool_ = &pool;
    ++generation_;
    queued_ = running_ = again_ = false;
    timer_due_ = Clock::time_point::max();
    need_list_ = true;
    stopping_ = false;
  }
  kick();
}

void Informer::State::halt() {
  std::unique_lock lock(scheduling_);
  if (stopping_ && !running_) return;
  stopping_ = true;
  ++generation_;
  if (stepping_thread_ == std::this_thread::get_id()) return;  // the step closes the watch
  step_done_.wait(lock, [&] { return !running_; });
  lock.unlock();
  close_watch();
}

void Informer::State::kick() {
  std::lock_guard lock(scheduling_);
  if (stopping_) return;
  if (running_) {
    again_ = true;
    return;
  }
  if (queued_) return;
  queued_ = true;
  pool_->post([weak = weak_from_this(), generation = generation_] {
    if (auto self = weak.lock()) self->run_step(generation);
  });
}

void Informer::State::kick_by(Clock::time_point when) {
  std::lock_guard lock(scheduling_);
  if (stopping_ || timer_due_ <= when) return;
  timer_due_ = when;
  pool_->post_at(when, [weak = weak_from_this(), when] {
    auto self = weak.lock();
    if (!self) return;
    {
      std::lock_guard lock(self->scheduling_);
      if (self->timer_due_ == when) self->timer_due_ = Clock::time_point::max();
    }
    self->kick();
  });
}

void Informer::State::run_step(uint64_t generation) {
  {
    std::lock_guard lock(scheduling_);
    if (generation != generation_ || stopping_) return;
    queued_ = false;
    running_ = true;
    stepping_thread_ = std::this_thread::get_id();
  }
  step();
  std::unique_lock lock(scheduling_);
  running_ = false;
  stepping_thread_ = {};
  if (stopping_) {
    lock.unlock();
    close_watch();  // halted from inside a handler
    lock.lock();
  } else if (again_ && !queued_) {
    queued_ = true;
    pool_->post([weak = weak_from_this(), generation] {
      if (auto self = weak.lock()) self->run_step(generation);
    });
  }
  again_ = false;
  step_done_.notify_all();
}

void Informer::State::step() {
  try {
    if (need_list_) {
      close_watch();
      relist();
      need_list_ = false;
    }
    if (stopping_) return;
    if (!stream_) open_watch();
    drain();
    error_backoff_ = std::chrono::milliseconds(100);
  } catch (const std::exception&) {
    // The server is unreachable or refused us: list again, a little later each time.
    close_watch();
    need_list_ = true;
    kick_by(Clock::now() + error_backoff_);
    error_backoff_ = std::min(error_backoff_ * 2, std::chrono::milliseconds(kMaxErrorBackoff));
  }
}

// A full list replaces the cache; differences become the usual add/update/delete.
void Informer::State::relist() {
  std::vector<ObjectPtr> items;
  ListOptions options = selectors;
  options.resource_version.clear();
  options.limit = kListPage;
  std::string revision;
  do {
    ObjectList page = client->list(gvr, ns, options);
    if (revision.empty()) revision = page.resource_version;
    for (auto& item : page.items) items.push_back(std::move(item));
    options.continue_token = page.continue_token;
  } while (!options.continue_token.empty() && !stopping_);
  if (stopping_) return;
  handlers.dispatch(cache.replace(std::move(items), std::move(revision)));
}

void Informer::State::open_watch() {
  ListOptions options = selectors;
  options.resource_version = cache.resource_version();
  options.allow_bookmarks = true;
  // Spread the server's closes, so informers do not all come back at once.
  static thread_local std::mt19937 rng{std::random_device{}()};
  options.timeout = std::chrono::seconds(300 + rng() % 300);
  stream_ = client->watch(gvr, ns, options);
  poll_backoff_ = kMinPollBackoff;
  stream_notifies_ = stream_->on_ready([weak = weak_from_this()] {
    // On a writer's thread: only ask for a step.
    if (auto self = weak.lock()) self->kick();
  });
}

void Informer::State::close_watch() {
  if (!stream_) return;
  stream_->stop();
  stream_.reset();
}

void Informer::State::drain() {
  for (int batch = 0; batch < kBatchesPerStep; ++batch) {
    if (stopping_) return;
    std::vector<WatchEvent> events = stream_->poll(kEventBatch);
    if (events.empty()) {
      if (stream_->done()) {
        // The server closed it: resume from where we are.
        close_watch();
        kick();
        return;
      }
      if (stream_notifies_) {
        kick_by(Clock::now() + kIdleRecheck);
      } else {
        kick_by(Clock::now() + poll_backoff_);
        poll_backoff_ = std::min(poll_backoff_ * 2, std::chrono::milliseconds(kMaxPollBackoff));
      }
      return;
    }
    poll_backoff_ = kMinPollBackoff;
    for (auto& event : events) {
      if (stopping_) return;
      // 410 Expired or any other error: our revision is no longer a safe start point.
      if (event.type == WatchEventType::Error) {
        close_watch();
        need_list_ = true;
        kick();
        return;
      }
      std::string revision = revision_of(event.object);
      switch (event.type) {
        case WatchEventType::Added:
        case WatchEventType::Modified: handlers.dispatch(cache.put(event.object, revision)); break;
        case WatchEventType::Deleted: handlers.dispatch(cache.erase(event.object, revision)); break;
        default: cache.set_revision(revision); break;
      }
    }
  }
  kick();  // more may be waiting; let other informers have the thread first
}

}  // namespace ukube
