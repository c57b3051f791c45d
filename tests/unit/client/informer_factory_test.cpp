#include "ukube/informer_factory.h"

#include <gtest/gtest.h>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <mutex>

#include "tests/support/eventually.h"
#include "tests/support/test_kernel.h"
#include "tests/unit/client/handler_log.h"

namespace ukube::testing {
namespace {

using namespace std::chrono_literals;

// Forwards to a real client and counts the lists and watches the informers make.
class CountingClient final : public Client {
 public:
  explicit CountingClient(std::shared_ptr<Client> inner) : inner_(std::move(inner)) {}

  std::atomic<int> lists{0};
  std::atomic<int> watches{0};

  ObjectPtr get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                const GetOptions& options, std::string_view subresource) override {
    return inner_->get(gvr, ns, name, options, subresource);
  }
  ObjectList list(const GroupVersionResource& gvr, std::string_view ns, const ListOptions& options) override {
    ++lists;
    return inner_->list(gvr, ns, options);
  }
  std::unique_ptr<WatchStream> watch(const GroupVersionResource& gvr, std::string_view ns,
                                     const ListOptions& options) override {
    ++watches;
    return inner_->watch(gvr, ns, options);
  }
  ObjectPtr create(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options, std::string_view subresource,
                   std::string_view name) override {
    return inner_->create(gvr, ns, object, options, subresource, name);
  }
  ObjectPtr update(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options, std::string_view subresource) override {
    return inner_->update(gvr, ns, object, options, subresource);
  }
  ObjectPtr patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name, PatchType type,
                  std::string_view patch, const WriteOptions& options,
                  std::string_view subresource) override {
    return inner_->patch(gvr, ns, name, type, patch, options, subresource);
  }
  ObjectPtr remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const DeleteOptions& options) override {
    return inner_->remove(gvr, ns, name, options);
  }

 private:
  std::shared_ptr<Client> inner_;
};

size_t thread_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST(SharedInformerFactory, UsersOfOneKeyShareOneListAndWatch) {
  TestKernel kernel;
  auto counting = std::make_shared<CountingClient>(kernel.client());
  SharedInformerFactory factory(counting);

  auto first = factory.informer(kConfigMaps, "ns1");
  auto second = factory.informer(kConfigMaps, "ns1");
  EXPECT_EQ(first, second);
  ASSERT_TRUE(first->wait_for_sync(10s));
  EXPECT_TRUE(eventually([&] { return counting->watches == 1; }));
  EXPECT_EQ(counting->lists, 1);

  // Another namespace or selector is another cache with its own watch.
  ListOptions labelled;
  labelled.label_selector = "app=web";
  auto other_ns = factory.informer(kConfigMaps, "ns2");
  auto selected = factory.informer(kConfigMaps, "ns1", labelled);
  EXPECT_NE(other_ns, first);
  EXPECT_NE(selected, first);
  EXPECT_EQ(factory.informer_count(), 3u);
  EXPECT_TRUE(eventually([&] { return counting->watches == 3; }));
}

TEST(SharedInformerFactory, EveryUsersHandlersSeeTheSameEventsInOrder) {
  TestKernel kernel;
  auto client = kernel.client();
  client->create(kConfigMaps, "ns1", configmap("before"));
  SharedInformerFactory factory(client);
  HandlerLog a, b;
  auto a_handling = factory.informer(kConfigMaps, "ns1")->add_handlers(a.handlers());
  auto b_handling = factory.informer(kConfigMaps, "ns1")->add_handlers(b.handlers());

  ASSERT_TRUE(factory.informer(kConfigMaps, "ns1")->wait_for_sync(10s));
  client->create(kConfigMaps, "ns1", configmap("one"));
  client->create(kConfigMaps, "ns1", configmap("two"));
  client->patch(kConfigMaps, "ns1", "one", PatchType::JsonMerge, R"({"data":{"k":"v"}})");
  client->remove(kConfigMaps, "ns1", "two");

  const std::vector<std::string> expected{"add before", "add one", "add two", "update one", "delete two"};
  EXPECT_TRUE(eventually([&] { return a.snapshot().size() >= expected.size(); }));
  EXPECT_TRUE(eventually([&] { return b.snapshot().size() >= expected.size(); }));
  EXPECT_EQ(a.snapshot(), expected);
  EXPECT_EQ(b.snapshot(), expected);
}

TEST(SharedInformerFactory, ARemovedRegistrationIsNotCalledAgain) {
  TestKernel kernel;
  auto client = kernel.client();
  SharedInformerFactory factory(client);
  auto informer = factory.informer(kConfigMaps, "ns1");
  HandlerLog kept, removed;
  auto kept_handling = informer->add_handlers(kept.handlers());
  auto removed_handling = informer->add_handlers(removed.handlers());
  ASSERT_TRUE(informer->wait_for_sync(10s));

  client->create(kConfigMaps, "ns1", configmap("seen-by-both"));
  ASSERT_TRUE(eventually([&] { return removed.contains("add seen-by-both"); }));
  removed_handling.reset();
  EXPECT_FALSE(removed_handling.active());
  size_t calls_at_removal = removed.snapshot().size();

  client->create(kConfigMaps, "ns1", configmap("after"));
  ASSERT_TRUE(eventually([&] { return kept.contains("add after"); }));
  EXPECT_EQ(removed.snapshot().size(), calls_at_removal);
}

TEST(SharedInformerFactory, ALateIndexerIndexesWhatIsCached) {
  TestKernel kernel;
  auto client = kernel.client();
  client->create(kConfigMaps, "ns1", configmap("web1", {}, {{"app", "web"}}));
  client->create(kConfigMaps, "ns1", configmap("db1", {}, {{"app", "db"}}));
  SharedInformerFactory factory(client);
  auto informer = factory.informer(kConfigMaps, "ns1");
  ASSERT_TRUE(informer->wait_for_sync(10s));

  auto indexing = informer->add_indexer("by-app", by_app_label);
  auto web = informer->by_index("by-app", "web");
  ASSERT_EQ(web.size(), 1u);
  EXPECT_EQ(meta(web[0], "name"), "web1");

  client->create(kConfigMaps, "ns1", configmap("web2", {}, {{"app", "web"}}));
  EXPECT_TRUE(eventually([&] { return informer->by_index("by-app", "web").size() == 2; }));

  // A second user of the same index keeps it when the first goes; the last takes it along.
  auto second = informer->add_indexer("by-app", by_app_label);
  indexing.reset();
  EXPECT_EQ(informer->by_index("by-app", "web").size(), 2u);
  second.reset();
  EXPECT_TRUE(informer->by_index("by-app", "web").empty());
}

TEST(SharedInformerFactory, ThreadsDoNotGrowWithInformers) {
  TestKernel kernel;
  auto client = kernel.client();
  SharedInformerFactory factory(client);
  ASSERT_TRUE(factory.informer(kConfigMaps, "ns0")->wait_for_sync(10s));
  size_t with_one = thread_count();

  std::vector<std::shared_ptr<Informer>> informers;
  for (int i = 1; i <= 30; ++i) informers.push_back(factory.informer(kConfigMaps, "ns" + std::to_string(i)));
  for (auto& informer : informers) ASSERT_TRUE(informer->wait_for_sync(10s));
  EXPECT_EQ(thread_count(), with_one);

  // And they all still follow their watches.
  client->create(kConfigMaps, "ns30", configmap("late"));
  EXPECT_TRUE(eventually([&] { return informers.back()->get("ns30/late") != nullptr; }));
}

TEST(SharedInformerFactory, AnExpiredWatchMakesItListAgain) {
  // A history of 16 events: while a handler holds the informer up, its watcher falls off
  // the ring; resuming from its revision is Expired (410), and only a new list catches up.
  TestKernel kernel(/*history=*/16);
  auto client = kernel.client();
  SharedInformerFactory factory(client);
  auto informer = factory.informer(kConfigMaps, "ns1");
  std::mutex gate;
  std::unique_lock hold(gate);
  HandlerLog log;
  InformerHandlers blocking = log.handlers();
  auto record_add = blocking.on_add;
  blocking.on_add = [&, record_add](const ObjectPtr& o) {
    if (meta(o, "name") == "blocker") std::lock_guard wait(gate);
    record_add(o);
  };
  auto handling = informer->add_handlers(blocking);
  ASSERT_TRUE(informer->wait_for_sync(10s));
  EXPECT_EQ(informer->relist_count(), 1u);

  client->create(kConfigMaps, "ns1", configmap("blocker"));
  ASSERT_TRUE(eventually([&] { return informer->get("ns1/blocker") != nullptr; }));
  for (int i = 0; i < 100; ++i) client->create(kConfigMaps, "ns1", configmap("cm" + std::to_string(i)));
  client->remove(kConfigMaps, "ns1", "cm0");
  hold.unlock();

  EXPECT_TRUE(eventually([&] { return informer->list().size() == 100; }));  // blocker + cm1..cm99
  EXPECT_EQ(informer->get("ns1/cm0"), nullptr);
  EXPECT_GE(informer->relist_count(), 2u);
  EXPECT_EQ(informer->resource_version(), std::to_string(kernel.store().current_revision()));
}

}  // namespace
}  // namespace ukube::testing
