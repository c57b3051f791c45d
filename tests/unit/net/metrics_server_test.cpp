// The /metrics server node components share, driven over loopback, and the histogram
// lines it serves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <atomic>
#include <string>

#include "ukube/net/metrics_server.h"
#include "ukube/net/prometheus.h"

namespace ukube::net {
namespace {
using ::testing::HasSubstr;

// The whole answer (head and body) to a GET of `path`.
std::string fetch(uint16_t port, const std::string& path) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string answer;
  boost::system::error_code ec;
  char buffer[4096];
  for (size_t n; (n = socket.read_some(boost::asio::buffer(buffer), ec)) > 0 || !ec;)
    answer.append(buffer, n);
  return answer;
}

TEST(MetricsServer, ServesMetricsAndHealthOnLoopback) {
  std::atomic<bool> healthy{true};
  MetricsServer server(
      "127.0.0.1:0", [] { return std::string("widgets 3\n"); },
      [&] { return healthy ? std::string() : std::string("the last sync failed"); });
  ASSERT_GT(server.port(), 0);
  const std::string metrics = fetch(server.port(), "/metrics");
  EXPECT_THAT(metrics, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(metrics, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics, HasSubstr("\r\n\r\nwidgets 3\n"));
  EXPECT_THAT(fetch(server.port(), "/healthz"), HasSubstr("\r\n\r\nok"));
  healthy = false;
  const std::string sick = fetch(server.port(), "/healthz");
  EXPECT_THAT(sick, HasSubstr("HTTP/1.1 503"));
  EXPECT_THAT(sick, HasSubstr("the last sync failed"));
  EXPECT_THAT(fetch(server.port(), "/other"), HasSubstr("HTTP/1.1 404"));
}

TEST(MetricsServer, ABadOrTakenAddressSaysWhich) {
  MetricsServer first("127.0.0.1:0", {}, {});
  const std::string taken = "127.0.0.1:" + std::to_string(first.port());
  try {
    MetricsServer second(taken, {}, {});
    FAIL() << "bound a taken port";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(taken));
  }
  EXPECT_THROW(MetricsServer("localhost:x", {}, {}), std::runtime_error);
}

TEST(Prometheus, HistogramsCountEachObservationInEveryBucketAtOrAboveIt) {
  Histogram h = Histogram::exponential(0.001, 2, 3);  // 0.001, 0.002, 0.004
  h.observe(0.0015);
  h.observe(0.01);
  EXPECT_EQ(metric_header("sync_seconds", "Sync latency.", "histogram") +
                h.samples("sync_seconds", "mode=\"full\""),
            "# HELP sync_seconds Sync latency.\n# TYPE sync_seconds histogram\n"
            "sync_seconds_bucket{mode=\"full\",le=\"0.001\"} 0\n"
            "sync_seconds_bucket{mode=\"full\",le=\"0.002\"} 1\n"
            "sync_seconds_bucket{mode=\"full\",le=\"0.004\"} 1\n"
            "sync_seconds_bucket{mode=\"full\",le=\"+Inf\"} 2\n"
            "sync_seconds_sum{mode=\"full\"} 0.0115\n"
            "sync_seconds_count{mode=\"full\"} 2\n");
}

}  // namespace
}  // namespace ukube::net
