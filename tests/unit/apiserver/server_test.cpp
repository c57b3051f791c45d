#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "apiserver/api_handler.h"
#include "apiserver/http_server.h"
#include "http_client.h"
#include "tests/support/test_kernel.h"

// The whole front end on a real socket: a kernel, the handler and the Beast server on
// port 0, driven by a raw HTTP client.
namespace ukube::apiserver {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::Connection;
using testing::request;

class ServerTest : public ::testing::Test {
 protected:
  explicit ServerTest(size_t history = watch::HistoryWatchBus::kDefaultHistoryCapacity) : kernel_(history) {}

  void start(Settings settings = {}) {
    settings.host = "127.0.0.1";
    settings.port = 0;
    HandlerDeps deps(kernel_.pipeline(), kernel_.auth(), kernel_.types());
    deps.bus = &kernel_.bus();
    deps.store = &kernel_.store();
    handler_ = std::make_unique<ApiHandler>(std::move(deps));
    server_ = std::make_unique<HttpServer>(settings, nullptr);
    port_ = server_->listen();
    server_->start(*handler_);
    handler_->set_ready(true);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  static json::object body(const testing::Response& r) { return json::parse(r.body).as_object(); }

  ukube::testing::TestKernel kernel_;
  std::unique_ptr<ApiHandler> handler_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

constexpr const char* kConfigMaps = "/api/v1/namespaces/default/configmaps";

std::string configmap(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"("},"data":{"k":"v"}})";
}

const std::vector<std::pair<std::string, std::string>> kJson = {{"Content-Type", "application/json"}};

TEST_F(ServerTest, CrudOverHttp) {
  start();
  auto created = request(port_, "POST", kConfigMaps, configmap("c1"), kJson);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("content-type"), "application/json");
  auto got = request(port_, "GET", std::string(kConfigMaps) + "/c1");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(body(got)["metadata"].at("name"), "c1");
  auto list = request(port_, "GET", kConfigMaps);
  EXPECT_EQ(body(list)["kind"], "ConfigMapList");
  EXPECT_EQ(body(list)["items"].as_array().size(), 1u);
  auto dup = request(port_, "POST", kConfigMaps, configmap("c1"), kJson);
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(body(dup)["reason"], "AlreadyExists");
  auto patched = request(port_, "PATCH", std::string(kConfigMaps) + "/c1", R"({"data":{"k":"w"}})",
                         {{"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(body(patched)["data"].at("k"), "w");
  EXPECT_EQ(request(port_, "DELETE", std::string(kConfigMaps) + "/c1").status, 200);
  auto missing = request(port_, "GET", std::string(kConfigMaps) + "/c1");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body(missing)["reason"], "NotFound");
  auto unknown = request(port_, "GET", "/apis/nope/v1/things");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(body(unknown)["message"], "the server could not find the requested resource");
  auto invalid = request(port_, "POST", "/apis/example.com/v1/namespaces/default/widgets",
                         R"({"metadata":{"name":"w"},"spec":{"size":-2}})", kJson);
  EXPECT_EQ(invalid.status, 422);
}

TEST_F(ServerTest, KeepAliveAndPipelining) {
  start();
  Connection c(port_);
  // Three requests in one write: answered in order on the one connection.
  c.send("POST " + std::string(kConfigMaps) +
         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(configmap("p1").size()) + "\r\n\r\n" + configmap("p1") + "GET " + kConfigMaps +
         "/p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n\r\n");
  auto a = c.read_response();
  auto b = c.read_response();
  auto v = c.read_response();
  EXPECT_EQ(a.status, 201);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(body(b)["metadata"].at("name"), "p1");
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(body(v)["major"], "1");
  c.send_request("GET", "/healthz");
  auto h = c.read_response();
  EXPECT_EQ(h.body, "ok");
}

TEST_F(ServerTest, WatchStreamsOneEventPerLine) {
  start();
  ASSERT_EQ(request(port_, "POST", kConfigMaps, configmap("before"), kJson).status, 201);
  Connection w(port_);
  w.send_request("GET", std::string(kConfigMaps) + "?watch=true&allowWatchBookmarks=true");
  auto head = w.read_head();
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("transfer-encoding"), "chunked");
  EXPECT_EQ(head.header("content-type"), "application/json");

  std::string stream;
  auto read_until_lines = [&](size_t lines) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (static_cast<size_t>(std::count(stream.begin(), stream.end(), '\n')) < lines &&
           std::chrono::steady_clock::now() < deadline)
      if (auto chunk = w.read_chunk(500ms)) stream += *chunk;
  };
  read_until_lines(1);
  ASSERT_EQ(request(port_, "POST", kConfigMaps, configmap("after"), kJson).status, 201);
  ASSERT_EQ(request(port_, "DELETE", std::string(kConfigMaps) + "/before").status, 200);
  read_until_lines(3);

  std::vector<json::object> events;
  for (size_t start = 0, end; (end = stream.find('\n', start)) != std::string::npos; start = end + 1)
    events.push_back(json::parse(stream.substr(start, end - start)).as_object());
  ASSERT_EQ(events.size(), 3u) << stream;
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"].at("metadata").at("name"), "before");
  EXPECT_EQ(events[1]["type"], "ADDED");
  EXPECT_EQ(events[1]["object"].at("metadata").at("name"), "after");
  EXPECT_EQ(events[2]["type"], "DELETED");
  EXPECT_EQ(events[2]["object"].at("metadata").at("name"), "before");
  EXPECT_EQ(handler_->metrics().watches.load(), 1);
}

TEST_F(ServerTest, WatchEndsAtTimeoutSecondsAndTheConnectionServesOn) {
  start();
  Connection w(port_);
  auto started = std::chrono::steady_clock::now();
  w.send_request("GET", std::string(kConfigMaps) + "?watch=1&timeoutSeconds=1");
  auto r = w.read_response(5s);  // the stream ends with the last chunk
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
  // The connection stays for the next request, as upstream's does.
  w.send_request("GET", kConfigMaps);
  auto listed = w.read_response(5s);
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(json::parse(listed.body).at("kind"), "ConfigMapList");
  w.send_request("GET", std::string(kConfigMaps) + "?watch=1&timeoutSeconds=1");
  EXPECT_EQ(w.read_response(5s).status, 200) << "and another watch after that";
}

TEST_F(ServerTest, ClientHangupEndsTheWatch) {
  start();
  {
    Connection w(port_);
    w.send_request("GET", std::string(kConfigMaps) + "?watch=1");
    w.read_head();
  }
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((handler_->metrics().watches.load() != 0 || kernel_.bus().watcher_count() != 0) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(handler_->metrics().watches.load(), 0);
  EXPECT_EQ(kernel_.bus().watcher_count(), 0u);
}

TEST_F(ServerTest, TableOverHttp) {
  start();
  ASSERT_EQ(request(port_, "POST", kConfigMaps, configmap("t"), kJson).status, 201);
  auto r = request(port_, "GET", kConfigMaps, "",
                   {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}});
  EXPECT_EQ(r.header("content-type"), "application/json;as=Table;v=v1;g=meta.k8s.io");
  EXPECT_EQ(body(r)["rows"].at(0).at("cells").at(0), "t");
}

TEST_F(ServerTest, OversizedBodyIs413) {
  Settings s;
  s.max_body_bytes = 1024;
  start(s);
  std::string big = R"({"metadata":{"name":"big"},"data":{"k":")" + std::string(2000, 'x') + "\"}}";
  auto r = request(port_, "POST", kConfigMaps, big, kJson);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(body(r)["reason"], "RequestEntityTooLarge");
  EXPECT_EQ(body(r)["code"], 413);
  // Chunked bodies hit the same limit while they are read.
  Connection c(port_);
  c.send(
      "POST " + std::string(kConfigMaps) +
      " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
      std::string(2000, 'x') + "\r\n0\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 413);
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  start();
  auto r = request(port_, "GET", "/version", "", {{"X-Big", std::string(200 * 1024, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(body(r)["kind"], "Status");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  start();
  Connection c(port_);
  c.send("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["reason"], "BadRequest");
}

TEST_F(ServerTest, IdleConnectionsAreClosed) {
  Settings s;
  s.idle_timeout = 1s;
  start(s);
  Connection c(port_);
  c.send_request("GET", "/healthz");
  EXPECT_EQ(c.read_response().status, 200);
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 800ms);
}

TEST_F(ServerTest, HeadAndExpectContinue) {
  start();
  Connection c(port_);
  c.send("HEAD /version HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = c.read_head();
  EXPECT_EQ(head.status, 200);
  EXPECT_NE(head.header("content-length"), "0");
  c.send(
      "POST " + std::string(kConfigMaps) +
      " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
      std::to_string(configmap("e").size()) + "\r\n\r\n");
  auto cont = c.read_head();
  EXPECT_EQ(cont.status, 100);
  c.send(configmap("e"));
  EXPECT_EQ(c.read_response().status, 201);
}

class SmallHistoryServerTest : public ServerTest {
 protected:
  SmallHistoryServerTest() : ServerTest(2) {}
};

TEST_F(SmallHistoryServerTest, TooOldResourceVersionIsAnExpiredErrorEvent) {
  start();
  for (int i = 0; i < 6; ++i)
    ASSERT_EQ(request(port_, "POST", kConfigMaps, configmap("h" + std::to_string(i)), kJson).status, 201);
  Connection w(port_);
  w.send_request("GET", std::string(kConfigMaps) + "?watch=1&resourceVersion=1");
  auto r = w.read_response(5s);
  EXPECT_EQ(r.status, 200);
  json::object event = json::parse(r.body).as_object();
  EXPECT_EQ(event["type"], "ERROR");
  EXPECT_EQ(event["object"].at("code"), 410);
  EXPECT_EQ(event["object"].at("reason"), "Expired");
}

TEST_F(ServerTest, StopEndsOpenWatches) {
  start();
  Connection w(port_);
  w.send_request("GET", std::string(kConfigMaps) + "?watch=1");
  w.read_head();
  server_->stop();
  EXPECT_TRUE(w.closed_by_peer(2s));
  EXPECT_EQ(kernel_.bus().watcher_count(), 0u);
  server_.reset();
}

}  // namespace
}  // namespace ukube::apiserver
