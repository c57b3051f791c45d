#include "remote_command.h"

#include "stream_protocols.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ukube::kubelet::remote {
namespace {

TEST(RemoteCommand, ChoosesTheNewestProtocolWeSpeak) {
  EXPECT_EQ(choose_protocol("v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io", {kV5, kV4}),
            "v5.channel.k8s.io");
  EXPECT_EQ(choose_protocol("v4.channel.k8s.io", {kV5, kV4}), "v4.channel.k8s.io");
  EXPECT_EQ(choose_protocol("base64.channel.k8s.io,channel.k8s.io", {kV5, kV4}), "");
  EXPECT_EQ(choose_protocol("", {kV5, kV4}), "");
}

TEST(RemoteCommand, OffersAreTrimmedAndEmptyOnesSkipped) {
  const auto offers = protocols_in(" a ,, b\t,c");
  ASSERT_EQ(offers.size(), 3u);
  EXPECT_EQ(offers[0], "a");
  EXPECT_EQ(offers[1], "b");
  EXPECT_EQ(offers[2], "c");
  EXPECT_TRUE(protocols_in(" , ").empty());
}

TEST(RemoteCommand, FramesStartWithTheirChannel) {
  const std::string f = frame(kStderr, "oops");
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0], 2);
  EXPECT_EQ(f.substr(1), "oops");
}

TEST(RemoteCommand, ExitStatusAsKubectlReadsIt) {
  EXPECT_EQ(boost::json::parse(exit_status(0)).at("status"), "Success");
  auto failure = boost::json::parse(exit_status(7)).as_object();
  EXPECT_EQ(failure.at("status"), "Failure");
  EXPECT_EQ(failure.at("reason"), "NonZeroExitCode");
  const auto& cause = failure.at("details").at("causes").at(0);
  EXPECT_EQ(cause.at("reason"), "ExitCode");
  EXPECT_EQ(cause.at("message"), "7");
}

TEST(RemoteCommand, ResizeMessages) {
  auto size = parse_resize(R"({"Width":120,"Height":40})");
  ASSERT_TRUE(size);
  EXPECT_EQ(size->first, 120);
  EXPECT_EQ(size->second, 40);
  EXPECT_FALSE(parse_resize("{\"Width\":1}"));
  EXPECT_FALSE(parse_resize("not json"));
}

TEST(RemoteCommand, StreamOptionsFromTheQuery) {
  StreamOptions o = parse_stream_options(
      {{"command", "sh"}, {"command", "-c"}, {"command", "echo hi"}, {"stdin", "true"}, {"stdout", "true"}},
      true);
  EXPECT_EQ(o.command, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_TRUE(o.stdin_);
  EXPECT_TRUE(o.stdout_);
  EXPECT_FALSE(o.stderr_);
  EXPECT_FALSE(parse_stream_options({{"stdout", "1"}, {"stderr", "1"}, {"tty", "1"}}, false).stderr_);
  EXPECT_THROW(parse_stream_options({{"stdout", "1"}}, true), std::invalid_argument);
  EXPECT_THROW(parse_stream_options({{"command", "ls"}}, true), std::invalid_argument);
}

}  // namespace
}  // namespace ukube::kubelet::remote
