#include "kernel/watch/history_watcher.h"

#include <algorithm>
#include <utility>

namespace ukube::watch {

HistoryWatcher::HistoryWatcher(std::shared_ptr<BusCore> core, WatchOptions options)
    : core_(std::move(core)),
      signal_(std::make_shared<WakeSignal>()),
      prefix_(std::move(options.prefix)),
      filter_(std::move(options.filter)),
      max_lag_(static_cast<int64_t>(std::min<size_t>(options.max_lag, INT64_MAX))),
      bookmark_interval_(options.bookmark_interval),
      last_report_(Clock::now()) {
  StartPoint start = core_->history.start_after(options.after_revision);
  if (start.expired) {
    terminal_ = WatchState::Expired;
    revision_ = options.after_revision;
    return;
  }
  seq_ = start.seq;
  lag_origin_ = start.head_seq;
  skip_through_ = start.skip_through;
  revision_ = start.revision;
  chunk_ = std::move(start.chunk);
  // A sleeper is woken for its own keys, and often enough to stay within both its lag
  // bound and the history ring when other keys are all that change.
  const size_t window = max_lag_ > 0 ? static_cast<size_t>(max_lag_) : core_->history.capacity();
  if (!core_->subscribers.add(signal_, prefix_, window / 4)) signal_->close(false);
}

HistoryWatcher::~HistoryWatcher() {
  // First, so that no callback is running or will run once we are gone.
  signal_->drop_callback();
  signal_->close(false);
  core_->subscribers.remove(signal_.get());
}

bool HistoryWatcher::matches(const store::Event& event) const {
  if (!event.key.starts_with(prefix_)) return false;
  return !filter_ || filter_(event);
}

WatchBatch HistoryWatcher::end_locked(WatchState state) {
  terminal_ = state;
  chunk_.reset();  // an idle closed watcher must not pin history
  core_->subscribers.remove(signal_.get());
  return {state, {}, revision_};
}

WatchBatch HistoryWatcher::read_locked(size_t max_events, int64_t& seen_head) {
  seen_head = 0;
  if (terminal_) return {*terminal_, {}, revision_};
  if (signal_->closed()) return end_locked(WatchState::Closed);

  const History& history = core_->history;
  const int64_t head = history.head_seq();
  seen_head = head;
  if (max_lag_ > 0 && head - std::max(seq_, lag_origin_) > max_lag_) return end_locked(WatchState::TooSlow);

  WatchBatch batch;
  const auto chunk_size = static_cast<int64_t>(history.chunk_size());
  max_events = std::max<size_t>(max_events, 1);
  while (seq_ < head && batch.events.size() < max_events) {
    if (!chunk_ || seq_ >= chunk_->first_seq + chunk_size) {
      chunk_ = history.chunk_for(seq_);
      // Dropped from the ring before we got to it: the lag bound of last resort.
      if (!chunk_) return end_locked(WatchState::TooSlow);
    }
    const int64_t stop = std::min(head, chunk_->first_seq + chunk_size);
    const store::EventPtr* events = chunk_->events.get();
    for (; seq_ < stop && batch.events.size() < max_events; ++seq_) {
      const store::EventPtr& event = events[seq_ - chunk_->first_seq];
      if (event->revision <= skip_through_) continue;
      revision_ = event->revision;
      if (!matches(*event)) continue;
      // Sized at the first match, so a watcher that rarely matches does not allocate per wake.
      if (batch.events.empty()) batch.events.reserve(std::min(max_events, static_cast<size_t>(head - seq_)));
      batch.events.push_back(event);
    }
  }
  batch.revision = revision_;
  if (!batch.events.empty()) {
    batch.state = WatchState::Events;
    if (bookmark_interval_.count() > 0) last_report_ = Clock::now();
  }
  return batch;
}

std::optional<WatchBatch> HistoryWatcher::bookmark_locked(Clock::time_point now) {
  if (bookmark_interval_.count() <= 0 || now < last_report_ + bookmark_interval_) return std::nullopt;
  last_report_ = now;
  return WatchBatch{WatchState::Bookmark, {}, revision_};
}

WatchBatch HistoryWatcher::next(Clock::time_point deadline, size_t max_events) {
  for (;;) {
    int64_t seen_head = 0;
    Clock::time_point wake_at = deadline;
    {
      std::lock_guard lock(read_mu_);
      WatchBatch batch = read_locked(max_events, seen_head);
      if (batch.state != WatchState::Timeout) return batch;
      const auto now = Clock::now();
      if (auto bookmark = bookmark_locked(now)) return std::move(*bookmark);
      if (now >= deadline) return batch;
      if (bookmark_interval_.count() > 0) wake_at = std::min(deadline, last_report_ + bookmark_interval_);
    }
    signal_->wait_until(wake_at, [&] { return core_->history.head_seq() == seen_head; });
  }
}

WatchBatch HistoryWatcher::poll(size_t max_events) {
  std::lock_guard lock(read_mu_);
  for (;;) {
    int64_t seen_head = 0;
    WatchBatch batch = read_locked(max_events, seen_head);
    if (batch.state != WatchState::Timeout) return batch;
    if (auto bookmark = bookmark_locked(Clock::now())) return std::move(*bookmark);
    // Arm before answering "nothing yet", then look once more: a batch published in
    // between either shows up here or fires the callback.
    signal_->arm();
    if (core_->history.head_seq() == seen_head) return batch;
  }
}

void HistoryWatcher::on_ready(std::function<void()> notify) {
  signal_->set_callback(std::move(notify));
  signal_->arm();
}

void HistoryWatcher::cancel() {
  signal_->close(false);
  core_->subscribers.remove(signal_.get());
}

}  // namespace ukube::watch
