#pragma once

#include <deque>
#include <memory>

#include "ukube/pipeline.h"

// The watch-list form of a watch (sendInitialEvents=true): the current state as ADDED
// events, then a BOOKMARK annotated k8s.io/initial-events-end, then the changes. Built in
// the front end from a consistent list at revision R followed by a watch from R, which is
// the upstream contract: the bookmark tells an informer it has synced.
namespace ukube::apiserver {

class InitialEventsWatch final : public RawWatch {
 public:
  InitialEventsWatch(const TypeInfo& type, const RawList& list, std::unique_ptr<RawWatch> changes);

  std::optional<RawWatchEvent> next(std::chrono::milliseconds timeout) override;
  std::vector<RawWatchEvent> poll(size_t max_events) override;
  void on_ready(std::function<void()> notify) override { changes_->on_ready(std::move(notify)); }
  bool done() const override { return initial_.empty() && changes_->done(); }
  void stop() override {
    initial_.clear();
    changes_->stop();
  }

 private:
  std::deque<RawWatchEvent> initial_;
  std::unique_ptr<RawWatch> changes_;
};

// The bookmark that ends the initial events of a watch-list.
store::Bytes initial_events_end(const TypeInfo& type, int64_t revision);

}  // namespace ukube::apiserver
