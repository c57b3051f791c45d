#include "ukube/informer.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <mutex>

#include "tests/support/test_kernel.h"
#include "tests/unit/client/handler_log.h"

namespace ukube::testing {
namespace {

using namespace std::chrono_literals;

TEST(Informer, ListsThenFollowsChanges) {
  TestKernel kernel;
  auto client = kernel.client();
  client->create(kConfigMaps, "ns1", configmap("before"));
  Informer informer(client, kConfigMaps);
  HandlerLog rec;
  auto handling = informer.add_handlers(rec.handlers());
  auto indexing = informer.add_indexer("by-app", by_app_label);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  EXPECT_TRUE(rec.wait_for("add before"));

  client->create(kConfigMaps, "ns1", configmap("web1", {}, {{"app", "web"}}));
  client->create(kConfigMaps, "ns2", configmap("web2", {}, {{"app", "web"}}));
  client->patch(kConfigMaps, "ns1", "before", PatchType::JsonMerge, R"({"data":{"k":"v"}})");
  client->remove(kConfigMaps, "ns2", "web2");
  ASSERT_TRUE(rec.wait_for("delete web2"));
  EXPECT_TRUE(rec.wait_for("update before"));

  ASSERT_NE(informer.get("ns1/before"), nullptr);
  EXPECT_EQ(informer.get("ns1/before")->at("data").at("k"), "v");
  EXPECT_EQ(informer.get("ns2/web2"), nullptr);
  EXPECT_EQ(informer.list().size(), 2u);
  auto web = informer.by_index("by-app", "web");
  ASSERT_EQ(web.size(), 1u);
  EXPECT_EQ(meta(web[0], "name"), "web1");
  EXPECT_EQ(informer.resource_version(), std::to_string(kernel.store().current_revision()));
  client->patch(kConfigMaps, "ns1", "web1", PatchType::JsonMerge, R"({"data":{"k":"new"}})");
  ASSERT_TRUE(rec.wait_for("update web1"));
  web = informer.by_index("by-app", "web");
  ASSERT_EQ(web.size(), 1u);
  EXPECT_EQ(web[0]->at("data").at("k"), "new") << "an index hands out the newest version";

  // A late handler is first told about everything cached.
  HandlerLog late;
  auto late_handling = informer.add_handlers(late.handlers());
  EXPECT_TRUE(late.wait_for("add web1", 1s));
  informer.stop();
}

TEST(Informer, RelistsWhenItsWatchExpires) {
  // A history of 16 events: an informer stuck in a handler falls off the ring, its watch
  // closes, resuming from its revision is Expired, and it must re-list to catch up.
  TestKernel kernel(/*history=*/16);
  auto client = kernel.client();
  Informer informer(client, kConfigMaps, "ns1");
  std::mutex gate;
  std::unique_lock hold(gate);
  HandlerLog rec;
  InformerHandlers blocking = rec.handlers();
  auto record_add = blocking.on_add;
  blocking.on_add = [&, record_add](const ObjectPtr& o) {
    if (meta(o, "name") == "blocker") std::lock_guard wait(gate);
    record_add(o);
  };
  auto handling = informer.add_handlers(blocking);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  client->create(kConfigMaps, "ns1", configmap("blocker"));
  for (int i = 0; i < 100; ++i) client->create(kConfigMaps, "ns1", configmap("cm" + std::to_string(i)));
  client->remove(kConfigMaps, "ns1", "cm0");
  hold.unlock();

  ASSERT_TRUE(rec.wait_for("add cm99", 30s));
  for (int i = 0; i < 100 && informer.list().size() != 100; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(informer.list().size(), 100u);  // blocker + cm1..cm99
  EXPECT_EQ(informer.get("ns1/cm0"), nullptr);
  EXPECT_GE(informer.relist_count(), 2u);
  informer.stop();
}

}  // namespace
}  // namespace ukube::testing
