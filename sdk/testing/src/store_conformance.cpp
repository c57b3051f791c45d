#include "ukube/testing/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace ukube::store::conformance {
namespace {

Bytes val(const std::string& s) {
  return make_bytes(s);
}

std::string random_prefix() {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  return "/conformance/" + std::to_string(rng()) + "/";
}

ListOptions at(int64_t revision) {
  ListOptions o;
  o.revision = revision;
  return o;
}

ListOptions paged(int64_t limit, std::string start_after = "", int64_t revision = 0) {
  ListOptions o;
  o.revision = revision;
  o.limit = limit;
  o.start_after = std::move(start_after);
  return o;
}

std::string value_of(const std::optional<KeyValue>& kv) {
  return kv && kv->value ? *kv->value : "<absent>";
}

std::vector<std::string> keys_of(const ListResult& r) {
  std::vector<std::string> keys;
  for (const auto& kv : r.items) keys.push_back(kv.key);
  return keys;
}

template <class Fn>
StoreError::Code error_code(Fn&& fn) {
  try {
    fn();
  } catch (const StoreError& e) {
    return e.code();
  }
  ADD_FAILURE() << "expected a StoreError";
  return StoreError::Code::Io;
}

}  // namespace

void StoreConformance::SetUp() {
  dir_ = std::make_unique<ukube::testing::TempDir>("conformance");
  store_ = GetParam().factory(dir_->path(), &sink_);
  ASSERT_TRUE(store_);
  prefix_ = random_prefix();
}

void StoreConformance::TearDown() {
  store_.reset();
}

TEST_P(StoreConformance, CreateThenGet) {
  WriteResult r = store().create(key("a"), val("one"));
  ASSERT_EQ(r.status, WriteStatus::Ok);
  EXPECT_GT(r.revision, 0);
  EXPECT_EQ(r.current.key, key("a"));
  EXPECT_EQ(*r.current.value, "one");
  EXPECT_EQ(r.current.create_revision, r.revision);
  EXPECT_EQ(r.current.mod_revision, r.revision);
  EXPECT_EQ(r.current.version, 1);

  auto got = store().get(key("a"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->key, key("a"));
  EXPECT_EQ(*got->value, "one");
  EXPECT_EQ(got->mod_revision, r.revision);
  EXPECT_EQ(got->create_revision, r.revision);
  EXPECT_EQ(got->version, 1);
  EXPECT_GE(store().current_revision(), r.revision);  // an ack implies the write is readable
  EXPECT_FALSE(store().get(key("missing")));
}

TEST_P(StoreConformance, CreateOfExistingKeyIsRefusedWithoutARevision) {
  WriteResult first = store().create(key("a"), val("one"));
  ASSERT_TRUE(first);
  WriteResult second = store().create(key("a"), val("two"));
  EXPECT_EQ(second.status, WriteStatus::AlreadyExists);
  EXPECT_FALSE(second);
  EXPECT_EQ(value_of(store().get(key("a"))), "one");
  WriteResult third = store().create(key("b"), val("b"));
  ASSERT_TRUE(third);
  EXPECT_EQ(third.revision, first.revision + 1) << "a refused write must not consume a revision";
}

TEST_P(StoreConformance, UpdateWithAndWithoutPrecondition) {
  WriteResult c = store().create(key("a"), val("v1"));
  WriteResult u1 = store().update(key("a"), val("v2"));
  ASSERT_EQ(u1.status, WriteStatus::Ok);
  EXPECT_EQ(u1.revision, c.revision + 1);
  EXPECT_EQ(u1.current.create_revision, c.revision);
  EXPECT_EQ(u1.current.mod_revision, u1.revision);
  EXPECT_EQ(u1.current.version, 2);
  EXPECT_EQ(*u1.current.value, "v2");

  WriteResult u2 = store().update(key("a"), val("v3"), u1.revision);
  ASSERT_EQ(u2.status, WriteStatus::Ok);
  EXPECT_EQ(u2.current.version, 3);
  EXPECT_EQ(value_of(store().get(key("a"))), "v3");
}

TEST_P(StoreConformance, StalePreconditionIsAConflictShowingTheStoredState) {
  WriteResult c = store().create(key("a"), val("v1"));
  WriteResult u = store().update(key("a"), val("v2"));
  WriteResult stale = store().update(key("a"), val("v3"), c.revision);
  EXPECT_EQ(stale.status, WriteStatus::Conflict);
  EXPECT_EQ(stale.current.mod_revision, u.revision);
  ASSERT_TRUE(stale.current.value);
  EXPECT_EQ(*stale.current.value, "v2");
  EXPECT_EQ(stale.current.version, 2);

  WriteResult stale_delete = store().remove(key("a"), c.revision);
  EXPECT_EQ(stale_delete.status, WriteStatus::Conflict);
  EXPECT_EQ(stale_delete.current.mod_revision, u.revision);
  EXPECT_EQ(value_of(store().get(key("a"))), "v2");
}

TEST_P(StoreConformance, UpdateAndDeleteOfMissingKeyAreNotFound) {
  EXPECT_EQ(store().update(key("nope"), val("x")).status, WriteStatus::NotFound);
  EXPECT_EQ(store().remove(key("nope")).status, WriteStatus::NotFound);
  EXPECT_EQ(store().update(key("nope"), val("x"), 5).status, WriteStatus::NotFound);
  EXPECT_FALSE(store().get(key("nope")));
}

TEST_P(StoreConformance, DeleteRemovesTheKeyAndRecreateStartsOver) {
  WriteResult c = store().create(key("a"), val("v1"));
  WriteResult u = store().update(key("a"), val("v2"));
  WriteResult d = store().remove(key("a"), u.revision);
  ASSERT_EQ(d.status, WriteStatus::Ok);
  EXPECT_EQ(d.revision, u.revision + 1);
  ASSERT_TRUE(d.current.value);
  EXPECT_EQ(*d.current.value, "v2") << "a delete returns the deleted state";
  EXPECT_EQ(d.current.create_revision, c.revision);
  EXPECT_FALSE(store().get(key("a")));
  EXPECT_EQ(store().remove(key("a")).status, WriteStatus::NotFound);
  EXPECT_EQ(store().update(key("a"), val("v3")).status, WriteStatus::NotFound);

  WriteResult again = store().create(key("a"), val("fresh"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again.current.version, 1);
  EXPECT_EQ(again.current.create_revision, again.revision);
  EXPECT_EQ(value_of(store().get(key("a"))), "fresh");
}

TEST_P(StoreConformance, GetAtOldRevisions) {
  WriteResult r1 = store().create(key("a"), val("v1"));
  WriteResult r2 = store().update(key("a"), val("v2"));
  WriteResult other = store().create(key("b"), val("b"));
  WriteResult r3 = store().remove(key("a"));
  ASSERT_TRUE(r1 && r2 && other && r3);

  EXPECT_FALSE(store().get(key("a"), r1.revision - 1));
  EXPECT_EQ(value_of(store().get(key("a"), r1.revision)), "v1");
  EXPECT_EQ(value_of(store().get(key("a"), r2.revision)), "v2");
  EXPECT_EQ(value_of(store().get(key("a"), other.revision)), "v2");
  EXPECT_FALSE(store().get(key("a"), r3.revision));
  auto old = store().get(key("a"), r2.revision);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->mod_revision, r2.revision);
  EXPECT_EQ(old->version, 2);

  ListResult before_delete = store().list(prefix(), at(other.revision));
  EXPECT_EQ(before_delete.revision, other.revision);
  EXPECT_EQ(keys_of(before_delete), (std::vector<std::string>{key("a"), key("b")}));
  EXPECT_EQ(keys_of(store().list(prefix())), (std::vector<std::string>{key("b")}));
}

TEST_P(StoreConformance, CompactedRevisionsAreRefused) {
  WriteResult r1 = store().create(key("a"), val("v1"));
  WriteResult r2 = store().update(key("a"), val("v2"));
  WriteResult r3 = store().update(key("a"), val("v3"));
  WriteResult gone = store().create(key("gone"), val("x"));
  WriteResult gone_deleted = store().remove(key("gone"));
  ASSERT_TRUE(r1 && r2 && r3 && gone && gone_deleted);

  store().compact(r3.revision);
  EXPECT_GE(store().compacted_revision(), r3.revision);
  EXPECT_EQ(error_code([&] { store().get(key("a"), r2.revision); }), StoreError::Code::Compacted);
  EXPECT_EQ(error_code([&] { store().list(prefix(), at(r1.revision)); }), StoreError::Code::Compacted);
  EXPECT_EQ(value_of(store().get(key("a"), r3.revision)), "v3");
  EXPECT_EQ(value_of(store().get(key("gone"), gone.revision)), "x");
  EXPECT_EQ(value_of(store().get(key("a"))), "v3");

  store().compact(gone_deleted.revision);
  EXPECT_FALSE(store().get(key("gone")));
  EXPECT_EQ(keys_of(store().list(prefix())), (std::vector<std::string>{key("a")}));
  WriteResult recreated = store().create(key("gone"), val("y"));
  ASSERT_TRUE(recreated);
  EXPECT_EQ(recreated.current.version, 1);
}

TEST_P(StoreConformance, FutureRevisionsAreRefused) {
  WriteResult r = store().create(key("a"), val("v1"));
  ASSERT_TRUE(r);
  int64_t future = store().current_revision() + 1000;
  EXPECT_EQ(error_code([&] { store().get(key("a"), future); }), StoreError::Code::FutureRevision);
  EXPECT_EQ(error_code([&] { store().list(prefix(), at(future)); }), StoreError::Code::FutureRevision);
}

TEST_P(StoreConformance, ListByPrefixRespectsBoundaries) {
  std::vector<std::string> names = {"a",  "a/",    "a/x", "a/y", "a/\xff\xff", "a0",
                                    "ab", "a\xff", "b",   "b/a", "\x01",       "a/x/deep"};
  for (const auto& n : names) ASSERT_TRUE(store().create(key(n), val(n)));

  auto expect_list = [&](const std::string& p, std::vector<std::string> expected) {
    std::vector<std::string> full;
    for (const auto& e : expected) full.push_back(key(e));
    ListResult r = store().list(key(p));
    EXPECT_EQ(keys_of(r), full) << "prefix " << p;
    EXPECT_FALSE(r.more);
    for (const auto& kv : r.items) EXPECT_EQ(*kv.value, kv.key.substr(prefix().size()));
  };
  expect_list("a/", {"a/", "a/x", "a/x/deep", "a/y", "a/\xff\xff"});
  expect_list("a", {"a", "a/", "a/x", "a/x/deep", "a/y", "a/\xff\xff", "a0", "ab", "a\xff"});
  expect_list("a/x", {"a/x", "a/x/deep"});
  expect_list("a\xff", {"a\xff"});
  expect_list("b", {"b", "b/a"});
  expect_list("c", {});
  EXPECT_EQ(store().list(prefix()).items.size(), names.size());
  EXPECT_TRUE(store().list(prefix() + "zzz").items.empty());
}

TEST_P(StoreConformance, LimitReportsMoreAndRemaining) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store().create(key("k" + std::to_string(i)), val("v")));
  ListResult page = store().list(prefix(), paged(4));
  EXPECT_EQ(page.items.size(), 4u);
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.remaining, 6);
  ListResult all = store().list(prefix(), paged(10));
  EXPECT_EQ(all.items.size(), 10u);
  EXPECT_FALSE(all.more);
  EXPECT_EQ(all.remaining, 0);
  ListResult last = store().list(prefix(), paged(4, key("k7")));
  EXPECT_EQ(keys_of(last), (std::vector<std::string>{key("k8"), key("k9")}));
  EXPECT_FALSE(last.more);
}

TEST_P(StoreConformance, PagesStayAtTheFirstPagesRevisionWhileWritesContinue) {
  std::map<std::string, std::string> at_start;
  for (int i = 0; i < 50; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "k%02d", i);
    ASSERT_TRUE(store().create(key(name), val("initial-" + std::string(name))));
    at_start[key(name)] = "initial-" + std::string(name);
  }
  std::vector<KeyValue> seen;
  ListResult page = store().list(prefix(), paged(7));
  const int64_t revision = page.revision;
  EXPECT_EQ(page.remaining, 43);
  seen.insert(seen.end(), page.items.begin(), page.items.end());

  int round = 0;
  while (page.more) {
    // Writes after the first page: new keys between and after existing ones, updates and
    // deletes of keys the later pages still have to return.
    ++round;
    ASSERT_TRUE(store().create(key("k" + std::to_string(round) + "5x"), val("new")));
    ASSERT_TRUE(store().create(key("z" + std::to_string(round)), val("new")));
    char victim[8];
    std::snprintf(victim, sizeof victim, "k%02d", std::min(49, 10 + round * 6));
    ASSERT_TRUE(store().update(key(victim), val("changed")));
    std::snprintf(victim, sizeof victim, "k%02d", std::min(48, 12 + round * 6));
    store().remove(key(victim));

    page = store().list(prefix(), paged(7, seen.back().key, revision));
    EXPECT_EQ(page.revision, revision);
    seen.insert(seen.end(), page.items.begin(), page.items.end());
    ASSERT_LT(round, 20);
  }
  std::map<std::string, std::string> listed;
  for (const auto& kv : seen) {
    EXPECT_LE(kv.mod_revision, revision);
    listed[kv.key] = *kv.value;
  }
  EXPECT_EQ(seen.size(), at_start.size()) << "no key twice, none missing";
  EXPECT_EQ(listed, at_start);
  EXPECT_NE(store().list(prefix()).items.size(), at_start.size());
}

TEST_P(StoreConformance, EveryWriteAdvancesTheRevisionByOne) {
  std::vector<int64_t> revisions;
  revisions.push_back(store().create(key("a"), val("1")).revision);
  revisions.push_back(store().create(key("b"), val("1")).revision);
  EXPECT_EQ(store().create(key("a"), val("dup")).status, WriteStatus::AlreadyExists);
  revisions.push_back(store().update(key("a"), val("2")).revision);
  EXPECT_EQ(store().update(key("zz"), val("2")).status, WriteStatus::NotFound);
  revisions.push_back(store().remove(key("b")).revision);
  revisions.push_back(store().create(key("b"), val("again")).revision);
  for (size_t i = 1; i < revisions.size(); ++i) EXPECT_EQ(revisions[i], revisions[i - 1] + 1);
  EXPECT_EQ(store().current_revision(), revisions.back());
}

TEST_P(StoreConformance, VersionCountsWritesSinceCreation) {
  EXPECT_EQ(store().create(key("a"), val("1")).current.version, 1);
  for (int64_t v = 2; v <= 5; ++v)
    EXPECT_EQ(store().update(key("a"), val(std::to_string(v))).current.version, v);
  EXPECT_EQ(store().get(key("a"))->version, 5);
  ASSERT_TRUE(store().remove(key("a")));
  EXPECT_EQ(store().create(key("a"), val("new")).current.version, 1);
  EXPECT_EQ(store().get(key("a"))->version, 1);
}

TEST_P(StoreConformance, EventsArriveInRevisionOrderWithPreviousValues) {
  WriteResult c = store().create(key("a"), val("v1"));
  WriteResult u = store().update(key("a"), val("v2"));
  WriteResult other = store().create(key("b"), val("b1"));
  WriteResult d = store().remove(key("a"));
  ASSERT_TRUE(c && u && other && d);
  EXPECT_EQ(store().create(key("b"), val("dup")).status, WriteStatus::AlreadyExists);

  auto events = sink_.wait_for(prefix(), 4);
  ASSERT_EQ(events.size(), 4u) << "refused writes publish nothing";
  EXPECT_EQ(events[0]->type, EventType::Create);
  EXPECT_EQ(events[0]->revision, c.revision);
  EXPECT_EQ(events[0]->key, key("a"));
  EXPECT_EQ(*events[0]->value, "v1");
  EXPECT_FALSE(events[0]->prev_value);

  EXPECT_EQ(events[1]->type, EventType::Update);
  EXPECT_EQ(events[1]->revision, u.revision);
  EXPECT_EQ(*events[1]->value, "v2");
  ASSERT_TRUE(events[1]->prev_value);
  EXPECT_EQ(*events[1]->prev_value, "v1");
  EXPECT_EQ(events[1]->create_revision, c.revision);

  EXPECT_EQ(events[2]->key, key("b"));
  EXPECT_EQ(events[2]->revision, other.revision);

  EXPECT_EQ(events[3]->type, EventType::Delete);
  EXPECT_EQ(events[3]->revision, d.revision);
  EXPECT_FALSE(events[3]->value);
  ASSERT_TRUE(events[3]->prev_value);
  EXPECT_EQ(*events[3]->prev_value, "v2");
  EXPECT_EQ(events[3]->create_revision, c.revision);
}

TEST_P(StoreConformance, EncoderRunsOnceWithTheWritesRevision) {
  int calls = 0;
  int64_t seen = 0;
  Encoder encoder = [&](int64_t revision) {
    ++calls;
    seen = revision;
    return make_bytes("rv=" + std::to_string(revision));
  };
  WriteResult r = store().write({WriteKind::Create, key("a"), encoder, 0});
  ASSERT_TRUE(r);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, r.revision);
  EXPECT_EQ(value_of(store().get(key("a"))), "rv=" + std::to_string(r.revision));

  WriteResult refused = store().write({WriteKind::Create, key("a"), encoder, 0});
  EXPECT_EQ(refused.status, WriteStatus::AlreadyExists);
  EXPECT_EQ(calls, 1) << "a refused write never encodes";
  EXPECT_EQ(store().write({WriteKind::Update, key("a"), encoder, r.revision + 1000}).status,
            WriteStatus::Conflict);
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformance, AsyncCallbacksRunInRevisionOrder) {
  constexpr int kWrites = 300;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WriteResult> results;
  for (int i = 0; i < kWrites; ++i) {
    WriteKind kind = i % 3 == 2 ? WriteKind::Update : WriteKind::Create;
    std::string k = key("k" + std::to_string(i % 3 == 2 ? i - 1 : i));
    store().submit({kind, k, constant(val(std::to_string(i))), 0}, [&](WriteResult r) {
      std::lock_guard lock(mu);
      results.push_back(std::move(r));
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return results.size() == kWrites; }));
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_EQ(results[i].status, WriteStatus::Ok) << i;
    if (i > 0) {
      EXPECT_EQ(results[i].revision, results[i - 1].revision + 1);
    }
  }
  EXPECT_GE(store().current_revision(), results.back().revision);
}

TEST_P(StoreConformance, RefusalsAreAnsweredInOrderWithEarlierWrites) {
  // A refusal may describe a write that is not durable yet, so its answer must not
  // overtake the acknowledgement of that write.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<int, WriteStatus>> answers;
  auto record = [&](int i) {
    return [&, i](WriteResult r) {
      std::lock_guard lock(mu);
      answers.emplace_back(i, r.status);
      cv.notify_all();
    };
  };
  store().submit({WriteKind::Create, key("a"), constant(val("1")), 0}, record(0));
  store().submit({WriteKind::Create, key("a"), constant(val("2")), 0}, record(1));
  store().submit({WriteKind::Update, key("a"), constant(val("3")), 0}, record(2));
  store().submit({WriteKind::Delete, key("missing"), nullptr, 0}, record(3));
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return answers.size() == 4; }));
  EXPECT_EQ(answers, (std::vector<std::pair<int, WriteStatus>>{{0, WriteStatus::Ok},
                                                               {1, WriteStatus::AlreadyExists},
                                                               {2, WriteStatus::Ok},
                                                               {3, WriteStatus::NotFound}}));
}

TEST_P(StoreConformance, ConcurrentWritersEachGetAUniqueRevision) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 60;
  std::vector<std::vector<WriteResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string k = key("t" + std::to_string(t) + "/" + std::to_string(i));
        results[t].push_back(store().create(k, val(k)));
        if (i % 10 == 9) results[t].push_back(store().update(k, val(k + "!")));
      }
    });
  }
  for (auto& t : threads) t.join();

  std::set<int64_t> revisions;
  size_t writes = 0;
  for (int t = 0; t < kThreads; ++t) {
    int64_t previous = 0;
    for (const auto& r : results[t]) {
      ASSERT_EQ(r.status, WriteStatus::Ok);
      EXPECT_GT(r.revision, previous) << "one thread's writes are ordered";
      previous = r.revision;
      EXPECT_TRUE(revisions.insert(r.revision).second) << "revision " << r.revision << " acknowledged twice";
      ++writes;
    }
  }
  ListResult all = store().list(prefix());
  ASSERT_EQ(all.items.size(), size_t(kThreads * kPerThread));
  std::map<std::string, int64_t> final_revision;
  for (int t = 0; t < kThreads; ++t)
    for (const auto& r : results[t]) final_revision[r.current.key] = r.revision;
  for (const auto& kv : all.items) {
    EXPECT_EQ(kv.mod_revision, final_revision[kv.key]) << kv.key;
    EXPECT_EQ(*kv.value, kv.key.ends_with("9") ? kv.key + "!" : kv.key);
  }
  auto events = sink_.wait_for(prefix(), writes);
  ASSERT_EQ(events.size(), writes);
  for (size_t i = 1; i < events.size(); ++i) EXPECT_LT(events[i - 1]->revision, events[i]->revision);
}

}  // namespace ukube::store::conformance
