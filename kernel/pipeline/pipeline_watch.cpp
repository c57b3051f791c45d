#include <boost/json.hpp>
#include <charconv>
#include <deque>
#include <mutex>

#include "kernel/pipeline/object_codec.h"
#include "kernel/pipeline/request_pipeline.h"
#include "kernel/pipeline/selectors.h"
#include "kernel/pipeline/versions.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Turns the bus's store events for one resource into API watch events: selectors
// decide per event, and an update that leaves (enters) the selection is a DELETED
// (ADDED), as upstream's watch cache reports it.
class PipelineWatch final : public RawWatch {
 public:
  PipelineWatch(TypeInfoPtr type, LabelSelector labels, FieldSelector fields, bool bookmarks,
                std::unique_ptr<watch::Watcher> watcher, std::deque<RawWatchEvent> initial,
                Clock::time_point end, int64_t start_revision)
      : type_(std::move(type)),
        labels_(std::move(labels)),
        fields_(std::move(fields)),
        bookmarks_(bookmarks),
        watcher_(std::move(watcher)),
        pending_(std::move(initial)),
        end_(end),
        start_revision_(start_revision) {}

  std::optional<RawWatchEvent> next(std::chrono::milliseconds timeout) override {
    auto deadline = std::min(Clock::now() + timeout, end_);
    while (pending_.empty() && !done_) {
      watch::WatchBatch batch = watcher_->next(deadline);
      absorb(batch);
      if (batch.state == watch::WatchState::Timeout) {
        if (Clock::now() >= end_) done_ = true;
        break;
      }
    }
    return pop();
  }

  std::vector<RawWatchEvent> poll(size_t max_events) override {
    std::vector<RawWatchEvent> out;
    // The watcher calls on_ready() again only after a poll() that found nothing, so a
    // batch the selectors drop entirely must not end this poll.
    while (pending_.empty() && !done_) {
      watch::WatchBatch batch = watcher_->poll(max_events);
      absorb(batch);
      if (Clock::now() >= end_) done_ = pending_.empty();
      if (batch.state == watch::WatchState::Timeout) break;
    }
    while (!pending_.empty() && out.size() < max_events) out.push_back(*pop());
    return out;
  }

  void on_ready(std::function<void()> notify) override { watcher_->on_ready(std::move(notify)); }
  bool done() const override { return done_ && pending_.empty(); }
  void stop() override {
    watcher_->cancel();
    done_ = true;
  }

 private:
  std::optional<RawWatchEvent> pop() {
    if (pending_.empty()) return std::nullopt;
    RawWatchEvent e = std::move(pending_.front());
    pending_.pop_front();
    return e;
  }

  bool selected(const store::Bytes& value) const {
    if (labels_.empty() && fields_.empty()) return true;
    boost::json::object object = parse_object(*value);
    return labels_.matches(object) && fields_.matches(object);
  }

  void absorb(const watch::WatchBatch& batch) {
    switch (batch.state) {
      case watch::WatchState::Events:
        for (const auto& e : batch.events) convert(*e);
        break;
      case watch::WatchState::Bookmark:
        if (bookmarks_) pending_.push_back({WatchEventType::Bookmark, bookmark(batch.revision)});
        break;
      case watch::WatchState::Expired: {
        ApiError error = ApiError::expired("too old resource version: " + std::to_string(start_revision_) +
                                           " (" + std::to_string(batch.revision) + ")");
        pending_.push_back({WatchEventType::Error, store::make_bytes(error.status_json())});
        done_ = true;
        break;
      }
      case watch::WatchState::TooSlow:
      case watch::WatchState::Closed:
        // The client resumes from the last resourceVersion it saw, as after any close.
        done_ = true;
        break;
      case watch::WatchState::Timeout: break;
    }
  }

  void convert(const store::Event& e) {
    switch (e.type) {
      case store::EventType::Create:
        if (selected(e.value)) emit(WatchEventType::Added, e.value);
        break;
      case store::EventType::Update: {
        bool now = selected(e.value);
        bool before = e.prev_value && selected(e.prev_value);
        if (now && before)
          emit(WatchEventType::Modified, e.value);
        else if (now)
          emit(WatchEventType::Added, e.value);
        else if (before)
          emit(WatchEventType::Deleted, e.value);
        break;
      }
      case store::EventType::Delete:
        if (e.prev_value && selected(e.prev_value))
          emit(WatchEventType::Deleted, restamp(e.prev_value, e.revision));
        break;
    }
  }

  void emit(WatchEventType type, const store::Bytes& stored) {
    pending_.push_back({type, present(*type_, stored)});
  }

  store::Bytes bookmark(int64_t revision) const {
    boost::json::object o{{"kind", type_->kind},
                          {"apiVersion", type_->api_version()},
                          {"metadata", boost::json::object{{"resourceVersion", std::to_string(revision)}}}};
    return store::make_bytes(boost::json::serialize(o));
  }

  TypeInfoPtr type_;
  LabelSelector labels_;
  FieldSelector fields_;
  bool bookmarks_;
  std::unique_ptr<watch::Watcher> watcher_;
  std::deque<RawWatchEvent> pending_;
  Clock::time_point end_;
  int64_t start_revision_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<RawWatch> KernelPipeline::watch(const UserInfo& user, const GroupVersionResource& gvr,
                                                std::string_view ns, const ListOptions& options) {
  Target t = target(user, "watch", gvr, ns, {}, {});
  auto labels = LabelSelector::parse(options.label_selector);
  auto fields = FieldSelector::parse(options.field_selector, *t.type);
  std::string prefix = t.type->key_prefix();
  if (t.type->namespaced && !ns.empty()) prefix.append(ns).push_back('/');

  std::deque<RawWatchEvent> initial;
  int64_t after = 0;
  const std::string& rv = options.resource_version;
  if (rv.empty() || rv == "0") {
    // No start point: the current state first, as synthetic ADDED events.
    store::ListResult current = store_.list(prefix);
    after = current.revision;
    for (auto& kv : current.items) {
      if (!labels.empty() || !fields.empty()) {
        boost::json::object object = parse_object(*kv.value);
        if (!labels.matches(object) || !fields.matches(object)) continue;
      }
      initial.push_back({WatchEventType::Added, std::move(kv.value)});
    }
  } else {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), value);
    if (ec != std::errc() || end != rv.data() + rv.size() || value < 0)
      throw ApiError::bad_request("invalid resourceVersion \"" + rv + "\" for watch");
    after = value;
  }
  watch::WatchOptions wo;
  wo.prefix = prefix;
  wo.after_revision = after;
  if (options.allow_bookmarks) wo.bookmark_interval = std::chrono::seconds(5);
  auto watcher = bus_.watch(std::move(wo));
  auto end = options.timeout.count() > 0 ? Clock::now() + options.timeout : Clock::time_point::max();
  return std::make_unique<PipelineWatch>(t.type, std::move(labels), std::move(fields),
                                         options.allow_bookmarks, std::move(watcher), std::move(initial), end,
                                         after);
}

}  // namespace ukube::pipeline
