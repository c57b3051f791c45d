#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "controllers/ttl-after-finished/ttl_controller.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::ttl {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const machinery::Clock::time_point kFinished = *machinery::parse_time("2024-05-01T12:00:00Z");

// A job that finished with `condition` at kFinished.
json::object finished_job(const std::string& condition, std::optional<int64_t> ttl) {
  json::object job = json::parse(R"({"apiVersion":"batch/v1","kind":"Job",
      "metadata":{"name":"pi","namespace":"default","uid":"uid-pi"},
      "spec":{"template":{"spec":{"containers":[{"name":"c","image":"x"}]}}},
      "status":{"conditions":[{"type":"SuccessCriteriaMet","status":"True","lastTransitionTime":"2024-05-01T11:00:00Z"},
        {"type":")" + condition + R"(","status":"True","lastTransitionTime":"2024-05-01T12:00:00Z"}]}})")
                         .as_object();
  if (ttl) job["spec"].as_object()["ttlSecondsAfterFinished"] = *ttl;
  return job;
}

class TtlSyncTest : public ::testing::Test {
 protected:
  ~TtlSyncTest() override {
    syncer_.reset();
    informers_.shutdown();
  }

  TtlSyncer& start() {
    TtlSyncerOptions options;
    options.client = client_;
    options.jobs = informers_.informer(machinery::kJobs);
    options.now = [this] { return now_; };
    EXPECT_TRUE(options.jobs->wait_for_sync(5s));
    syncer_ = std::make_unique<TtlSyncer>(
        std::move(options), TtlQueue{[](const std::string&) {},
                                     [this](const std::string& key, std::chrono::milliseconds delay) {
                                       std::lock_guard lock(mutex_);
                                       delayed_.push_back({key, delay});
                                     }});
    return *syncer_;
  }
  bool job_exists() {
    try {
      client_->objects().get(machinery::kJobs, "default", "pi");
      return true;
    } catch (const ApiError&) {
      return false;
    }
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  machinery::Clock::time_point now_ = kFinished;
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> delayed_;
  std::unique_ptr<TtlSyncer> syncer_;
};

TEST(ExpireTime, FromTheFinishingConditionOnlyWhenATtlIsSet) {
  EXPECT_EQ(expire_time(finished_job("Complete", 30)), kFinished + 30s);
  EXPECT_EQ(expire_time(finished_job("Failed", 0)), kFinished);
  EXPECT_FALSE(expire_time(finished_job("Complete", std::nullopt)));
  // SuccessCriteriaMet alone is not finished yet.
  EXPECT_FALSE(expire_time(finished_job("Suspended", 30)));
  json::object deleting = finished_job("Complete", 30);
  deleting["metadata"].as_object()["deletionTimestamp"] = "2024-05-01T12:00:01Z";
  EXPECT_FALSE(expire_time(deleting));
}

TEST_F(TtlSyncTest, WaitsForTheTtlThenDeletesInTheForegroundWithTheUidAsPrecondition) {
  client_->add(machinery::kJobs, finished_job("Complete", 60));
  now_ = kFinished + 15s;
  start().sync("default/pi");
  EXPECT_TRUE(job_exists());
  EXPECT_EQ(client_->count("delete", "jobs"), 0u);
  {
    std::lock_guard lock(mutex_);
    ASSERT_EQ(delayed_.size(), 1u);
    EXPECT_EQ(delayed_[0].first, "default/pi");
    EXPECT_EQ(delayed_[0].second, 45s);
  }

  now_ = kFinished + 60s;
  syncer_->sync("default/pi");
  auto deletes = client_->actions("delete", "jobs");
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].delete_options.propagation_policy, "Foreground");
  EXPECT_EQ(deletes[0].delete_options.precondition_uid, "uid-pi");
  // The decision was made on a fresh read, not on the cache alone.
  EXPECT_EQ(client_->count("get", "jobs"), 1u);
  EXPECT_FALSE(job_exists());
}

TEST_F(TtlSyncTest, AFailedJobExpiresToo) {
  client_->add(machinery::kJobs, finished_job("Failed", 5));
  now_ = kFinished + 6s;
  start().sync("default/pi");
  EXPECT_FALSE(job_exists());
}

TEST_F(TtlSyncTest, ATtlRaisedMeanwhileKeepsTheJob) {
  client_->add(machinery::kJobs, finished_job("Complete", 10));
  // The API has a newer job than the cache: its TTL is an hour.
  auto fresh = std::make_shared<const json::object>(finished_job("Complete", 3600));
  client_->prepend_reactor("get", "jobs", testing::answer_with(fresh));
  now_ = kFinished + 20s;
  start().sync("default/pi");
  EXPECT_EQ(client_->count("delete", "jobs"), 0u);
  EXPECT_TRUE(job_exists());
  std::lock_guard lock(mutex_);
  ASSERT_EQ(delayed_.size(), 1u);
  EXPECT_EQ(delayed_[0].second, 3580s);
}

TEST_F(TtlSyncTest, UnfinishedJobsAndJobsWithoutTtlAreLeftAlone) {
  client_->add(machinery::kJobs, finished_job("Suspended", 0));
  json::object other = finished_job("Complete", std::nullopt);
  other["metadata"].as_object()["name"] = "other";
  client_->add(machinery::kJobs, other);
  now_ = kFinished + 1h;
  start().sync("default/pi");
  syncer_->sync("default/other");
  syncer_->sync("default/missing");
  EXPECT_EQ(client_->count("delete", "jobs"), 0u);
  EXPECT_EQ(client_->count("get", "jobs"), 0u);
}

}  // namespace
}  // namespace ukube::controllers::ttl
