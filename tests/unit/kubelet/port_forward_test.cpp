#include "port_forward.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace ukube::kubelet::portforward {
namespace {

// The message of what `call` throws as std::invalid_argument.
template <class Call>
std::string refusal(Call call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(PortForward, StreamsNameTheirTypePortAndRequest) {
  const StreamRequest data = parse_stream(3, {{"streamtype", "data"}, {"port", "8080"}, {"requestid", "7"}});
  EXPECT_EQ(data.type, StreamType::Data);
  EXPECT_EQ(data.port, 8080);
  EXPECT_EQ(data.request_id, "7");
  EXPECT_EQ(parse_stream(1, {{"streamtype", "error"}, {"port", "65535"}}).type, StreamType::Error);
}

TEST(PortForward, BadStreamHeadersAreRefusedInUpstreamsWords) {
  EXPECT_EQ(refusal([] { parse_stream(1, {{"streamtype", "data"}}); }), "\"port\" header is required");
  EXPECT_EQ(refusal([] {
              parse_stream(1, {{"streamtype", "data"}, {"port", "http"}});
            }),
            "unable to parse \"http\" as a port: strconv.ParseUint: parsing \"http\": invalid syntax");
  EXPECT_EQ(refusal([] {
              parse_stream(1, {{"streamtype", "data"}, {"port", "70000"}});
            }),
            "unable to parse \"70000\" as a port: strconv.ParseUint: parsing \"70000\": value out of range");
  EXPECT_EQ(refusal([] {
              parse_stream(1, {{"streamtype", "data"}, {"port", "0"}});
            }),
            "port \"0\" must be > 0");
  EXPECT_EQ(refusal([] { parse_stream(1, {{"port", "80"}}); }), "\"streamType\" header is required");
  EXPECT_EQ(refusal([] {
              parse_stream(1, {{"streamtype", "video"}, {"port", "80"}});
            }),
            "invalid stream type \"video\"");
}

TEST(PortForward, OldClientsWithoutRequestIdsArePairedByStreamId) {
  // Their error stream comes first, the data stream two ids later.
  EXPECT_EQ(parse_stream(5, {{"streamtype", "error"}, {"port", "80"}}).request_id, "5");
  EXPECT_EQ(parse_stream(7, {{"streamtype", "data"}, {"port", "80"}}).request_id, "5");
}

TEST(PortForward, ErrorsReadAsUpstreamsKubeletWritesThem) {
  EXPECT_EQ(forwarding_error(8080, "3f2a", "", "failed to connect to localhost:8080, IPv4: dial tcp4 ..."),
            "error forwarding port 8080 to pod 3f2a, uid : failed to connect to localhost:8080, IPv4: dial "
            "tcp4 ...");
}

TEST(PortForward, UpgradesNegotiateTheProtocol) {
  EXPECT_EQ(negotiate("portforward.k8s.io"), "portforward.k8s.io");
  EXPECT_EQ(negotiate("v9.portforward.k8s.io, portforward.k8s.io"), "portforward.k8s.io");
  EXPECT_EQ(refusal([] { negotiate(""); }), "unable to upgrade: X-Stream-Protocol-Version is required");
  EXPECT_EQ(refusal([] { negotiate("v4.channel.k8s.io,v5.channel.k8s.io"); }),
            "unable to upgrade: unable to negotiate protocol: client supports [v4.channel.k8s.io "
            "v5.channel.k8s.io], server accepts [portforward.k8s.io]");
  EXPECT_EQ(upgrade_response("portforward.k8s.io"),
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
            "X-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n");
  EXPECT_EQ(upgrade_response(""),
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n");
}

TEST(PortForward, StreamsPairUpByRequest) {
  StreamPairs pairs;
  const StreamPair half = pairs.add(1, {StreamType::Error, 80, "0"});
  EXPECT_FALSE(half.complete());
  EXPECT_EQ(pairs.waiting(), 1u);
  EXPECT_EQ(pairs.request_of(1), "0");
  // Another request's stream waits apart.
  EXPECT_FALSE(pairs.add(3, {StreamType::Error, 81, "1"}).complete());
  const StreamPair whole = pairs.add(5, {StreamType::Data, 80, "0"});
  EXPECT_TRUE(whole.complete());
  EXPECT_EQ(whole.error_stream, 1u);
  EXPECT_EQ(whole.data_stream, 5u);
  EXPECT_EQ(whole.port, 80);
  EXPECT_EQ(pairs.waiting(), 1u) << "a complete pair is handed over";
  EXPECT_EQ(pairs.request_of(1), "");
  ASSERT_NE(pairs.find("1"), nullptr);
  EXPECT_EQ(pairs.find("1")->error_stream, 3u);
}

TEST(PortForward, ASecondStreamOfOneTypeIsRefusedAndThePairWaitsOn) {
  StreamPairs pairs;
  pairs.add(1, {StreamType::Error, 80, "0"});
  EXPECT_EQ(refusal([&] { pairs.add(3, {StreamType::Error, 80, "0"}); }), "error stream already assigned");
  ASSERT_NE(pairs.find("0"), nullptr);
  EXPECT_EQ(pairs.find("0")->error_stream, 1u);
  const auto taken = pairs.take("0");
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->error_stream, 1u);
  EXPECT_FALSE(pairs.take("0"));
  EXPECT_EQ(pairs.waiting(), 0u);
  pairs.add(5, {StreamType::Data, 80, "2"});
  EXPECT_EQ(refusal([&] { pairs.add(7, {StreamType::Data, 80, "2"}); }), "data stream already assigned");
}

}  // namespace
}  // namespace ukube::kubelet::portforward
