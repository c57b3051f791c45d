// Behaviour specific to the embedded backend: persistence across restarts, snapshots,
// WAL truncation, compaction, lifecycle.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>

#include "store_test_util.h"

namespace ukube::store {
namespace {

using test_support::CapturedLog;
using test_support::eventually;
using test_support::options_for;
using test_support::TempDir;

Bytes val(const std::string& s) {
  return make_bytes(s);
}

std::map<std::string, std::pair<std::string, int64_t>> contents(Store& store) {
  std::map<std::string, std::pair<std::string, int64_t>> out;
  for (const auto& kv : store.list("").items) out[kv.key] = {*kv.value, kv.mod_revision};
  return out;
}

TEST(EmbeddedStore, RestartKeepsEverythingAndRevisionsContinue) {
  TempDir dir;
  std::map<std::string, std::pair<std::string, int64_t>> before;
  int64_t revision = 0;
  {
    auto store = EmbeddedStore::open(options_for(dir.path()));
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(store->create("/k/" + std::to_string(i), val("v" + std::to_string(i))));
    for (int i = 0; i < 200; i += 3) ASSERT_TRUE(store->update("/k/" + std::to_string(i), val("updated")));
    for (int i = 1; i < 200; i += 7) ASSERT_TRUE(store->remove("/k/" + std::to_string(i)));
    before = contents(*store);
    revision = store->current_revision();
  }
  auto store = EmbeddedStore::open(options_for(dir.path()));
  EXPECT_EQ(store->current_revision(), revision);
  EXPECT_EQ(contents(*store), before);
  EXPECT_EQ(store->get("/k/3")->version, 2);
  WriteResult next = store->create("/k/new", val("x"));
  EXPECT_EQ(next.revision, revision + 1);
  EXPECT_EQ(store->create("/k/0", val("dup")).status, WriteStatus::AlreadyExists);
  EXPECT_EQ(store->update("/k/1", val("x")).status, WriteStatus::NotFound);
}

TEST(EmbeddedStore, SnapshotReplacesOldWalSegmentsAndRecoveryUsesIt) {
  TempDir dir;
  auto options = options_for(dir.path());
  options.snapshot_threshold_bytes = 16 * 1024;
  std::map<std::string, std::pair<std::string, int64_t>> before;
  int64_t revision = 0;
  {
    auto store = EmbeddedStore::open(options);
    std::string payload(200, 'p');
    for (int i = 0; i < 400; ++i)
      ASSERT_TRUE(store->create("/s/" + std::to_string(i), val(payload + std::to_string(i))));
    ASSERT_TRUE(eventually([&] { return store->stats().snapshots >= 1; }));
    for (int i = 0; i < 400; i += 2) ASSERT_TRUE(store->update("/s/" + std::to_string(i), val("second")));
    for (int i = 1; i < 400; i += 4) ASSERT_TRUE(store->remove("/s/" + std::to_string(i)));
    ASSERT_TRUE(eventually([&] { return store->stats().snapshots >= 2; }));
    // Writes after the last snapshot live only in the WAL.
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->create("/after/" + std::to_string(i), val("tail")));
    before = contents(*store);
    revision = store->current_revision();
    EXPECT_GT(store->stats().last_snapshot_revision, 0);
  }
  DataDirListing listing = list_data_dir(posix_file_system(), dir.path());
  ASSERT_EQ(listing.snapshots.size(), 1u) << "older snapshots are removed";
  ASSERT_FALSE(listing.segments.empty());
  EXPECT_GT(listing.segments.front().number, 1) << "segments covered by the snapshot are removed";
  EXPECT_LE(listing.segments.front().number, listing.snapshots.back().number + 1);

  CapturedLog log;
  auto store = EmbeddedStore::open(options_for(dir.path(), log.logger));
  EXPECT_EQ(store->current_revision(), revision);
  EXPECT_EQ(contents(*store), before);
  EXPECT_EQ(store->get("/s/0")->version, 2);
  EXPECT_GE(store->compacted_revision(), listing.snapshots.back().number)
      << "history before the snapshot is not kept";
  EXPECT_NE(log.str().find("snapshot at revision"), std::string::npos) << log.str();
  EXPECT_EQ(store->create("/after/new", val("x")).revision, revision + 1);
}

TEST(EmbeddedStore, SnapshotCoveringTheWholeWalIsEnough) {
  TempDir dir;
  int64_t revision = 0;
  {
    auto store = EmbeddedStore::open(options_for(dir.path()));
    for (int i = 0; i < 50; ++i)
      ASSERT_TRUE(store->create("/x/" + std::to_string(i), val("v" + std::to_string(i))));
    ASSERT_TRUE(store->update("/x/7", val("seven")));
    ASSERT_TRUE(store->remove("/x/8"));
    revision = store->current_revision();
    store->snapshot();
    EXPECT_EQ(store->stats().last_snapshot_revision, revision);
  }
  {
    // Replays nothing from the WAL (all of it is in the snapshot) and drops the segment.
    auto store = EmbeddedStore::open(options_for(dir.path()));
    EXPECT_EQ(store->current_revision(), revision);
    EXPECT_EQ(store->list("/x/").items.size(), 49u);
    EXPECT_EQ(*store->get("/x/7")->value, "seven");
    EXPECT_EQ(store->get("/x/7")->version, 2);
    EXPECT_FALSE(store->get("/x/8"));
    ASSERT_TRUE(store->create("/x/8", val("back")));
  }
  auto store = EmbeddedStore::open(options_for(dir.path()));
  EXPECT_EQ(store->current_revision(), revision + 1);
  EXPECT_EQ(*store->get("/x/8")->value, "back");
}

TEST(EmbeddedStore, AutomaticCompactionKeepsTheConfiguredWindow) {
  TempDir dir;
  auto options = options_for(dir.path());
  options.compaction_window = 20;
  auto store = EmbeddedStore::open(options);
  WriteResult first = store->create("/c/a", val("0"));
  for (int i = 1; i <= 200; ++i) ASSERT_TRUE(store->update("/c/a", val(std::to_string(i))));
  int64_t current = store->current_revision();
  ASSERT_TRUE(eventually([&] { return store->compacted_revision() >= current - 20 - 20 / 8; }));
  EXPECT_LE(store->compacted_revision(), current - 20);
  EXPECT_THROW(store->get("/c/a", first.revision), StoreError);
  EXPECT_EQ(*store->get("/c/a", current - 20)->value, std::to_string(200 - 20));
  EXPECT_EQ(*store->get("/c/a")->value, "200");
}

TEST(EmbeddedStore, CompactionSurvivesRestart) {
  TempDir dir;
  int64_t compacted = 0;
  {
    auto options = options_for(dir.path());
    options.compaction_window = 0;
    auto store = EmbeddedStore::open(options);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->create("/c/" + std::to_string(i), val("v")));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->remove("/c/" + std::to_string(i)));
    ASSERT_TRUE(store->create("/c/last", val("v")));
    compacted = store->current_revision() - 3;
    store->compact(compacted);
    EXPECT_EQ(store->compacted_revision(), compacted);
    EXPECT_LE(store->stats().keys, 4u) << "tombstones below the compacted revision are dropped";
  }
  auto store = EmbeddedStore::open(options_for(dir.path()));
  EXPECT_EQ(store->compacted_revision(), compacted);
  EXPECT_THROW(store->get("/c/0", compacted - 1), StoreError);
  EXPECT_EQ(store->list("/c/").items.size(), 1u);
}

TEST(EmbeddedStore, CompactToTheFutureIsRefused) {
  TempDir dir;
  auto store = EmbeddedStore::open(options_for(dir.path()));
  ASSERT_TRUE(store->create("/a", val("v")));
  try {
    store->compact(store->current_revision() + 5);
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), StoreError::Code::FutureRevision);
  }
}

TEST(EmbeddedStore, ASecondOpenOfTheSameDirectoryFails) {
  TempDir dir;
  auto store = EmbeddedStore::open(options_for(dir.path()));
  try {
    EmbeddedStore::open(options_for(dir.path()));
    FAIL() << "two stores on one data directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos) << e.what();
  }
}

TEST(EmbeddedStore, CloseCompletesQueuedWritesAndLaterSubmitsFail) {
  TempDir dir;
  std::atomic<int> acked{0};
  {
    auto store = EmbeddedStore::open(options_for(dir.path()));
    for (int i = 0; i < 2000; ++i)
      store->submit({WriteKind::Create, "/q/" + std::to_string(i), constant(val("v")), 0},
                    [&](WriteResult r) { acked += r ? 1 : 0; });
    store->close();
    EXPECT_EQ(acked.load(), 2000);
    try {
      store->create("/q/late", val("v"));
      FAIL();
    } catch (const StoreError& e) {
      EXPECT_EQ(e.code(), StoreError::Code::Closed);
    }
  }
  auto store = EmbeddedStore::open(options_for(dir.path()));
  EXPECT_EQ(store->list("/q/").items.size(), 2000u);
}

// The sink sees a batch only after it is durable, and readers see it no later.
class CheckingSink : public EventSink {
 public:
  void publish(std::span<const EventPtr> batch) override {
    for (const auto& e : batch) {
      if (e->revision != last_ + 1) ordered_ = false;
      last_ = e->revision;
      if (store_ && store_->current_revision() < e->revision) visible_ = false;
    }
  }
  Store* store_ = nullptr;
  int64_t last_ = 0;
  bool ordered_ = true;
  bool visible_ = true;
};

TEST(EmbeddedStore, EventsArePublishedInOrderOnceReadable) {
  TempDir dir;
  CheckingSink sink;
  auto options = options_for(dir.path());
  options.sink = &sink;
  options.fsync = true;
  auto store = EmbeddedStore::open(options);
  sink.store_ = store.get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        store->create("/e/" + std::to_string(t) + "/" + std::to_string(i), val("v"));
    });
  for (auto& t : threads) t.join();
  store->close();
  EXPECT_EQ(sink.last_, 400);
  EXPECT_TRUE(sink.ordered_);
  EXPECT_TRUE(sink.visible_);
  EXPECT_LT(store->stats().wal_syncs, 400u) << "concurrent writers share fsyncs";
}

TEST(EmbeddedStore, ReadsDoNotSeeAWriteBeforeItsAcknowledgement) {
  TempDir dir;
  auto store = EmbeddedStore::open(options_for(dir.path()));
  // Hold the completion thread inside the first write's callback: the second write is
  // then logged (and in the index) but not yet acknowledged, so no reader may see it.
  std::promise<void> entered, release;
  std::atomic<bool> second_done{false};
  store->submit({WriteKind::Create, "/a", constant(val("a")), 0}, [&](WriteResult) {
    entered.set_value();
    release.get_future().wait();
  });
  entered.get_future().wait();
  const int64_t visible = store->current_revision();
  store->submit({WriteKind::Create, "/b", constant(val("b")), 0}, [&](WriteResult) { second_done = true; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the flusher has written it by now
  EXPECT_FALSE(store->get("/b"));
  EXPECT_EQ(store->current_revision(), visible);
  EXPECT_EQ(store->list("/").items.size(), 1u);
  EXPECT_THROW(store->get("/b", visible + 1), StoreError);
  EXPECT_FALSE(second_done);
  release.set_value();
  ASSERT_TRUE(eventually([&] { return second_done.load(); }));
  EXPECT_TRUE(store->get("/b"));
  EXPECT_EQ(store->current_revision(), visible + 1);
}

TEST(EmbeddedStore, CompactionShrinksHistoriesBackToOneVersion) {
  TempDir dir;
  auto options = options_for(dir.path());
  options.compaction_window = 0;
  auto store = EmbeddedStore::open(options);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->create("/h/" + std::to_string(i), val("v")));
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE(store->update("/h/" + std::to_string(i), val(std::to_string(round))));
  store->compact(store->current_revision());
  EXPECT_EQ(store->stats().keys, 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(store->get("/h/" + std::to_string(i))->version, 4);
}

TEST(EmbeddedStore, EncoderThatThrowsLeavesNoTrace) {
  TempDir dir;
  auto store = EmbeddedStore::open(options_for(dir.path()));
  ASSERT_TRUE(store->create("/a", val("v")));
  int64_t revision = store->current_revision();
  EXPECT_THROW(
      store->write({WriteKind::Create, "/b", [](int64_t) -> Bytes { throw std::runtime_error("no"); }, 0}),
      std::runtime_error);
  EXPECT_FALSE(store->get("/b"));
  EXPECT_EQ(store->create("/c", val("v")).revision, revision + 1);
}

}  // namespace
}  // namespace ukube::store
