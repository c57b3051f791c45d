#include "spdy.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace ukube::kubelet::spdy {
namespace {

// What a session told its handler.
struct Recorder : ServerSession::Handler {
  struct Stream {
    uint32_t id;
    Headers headers;
    bool fin;
  };
  std::vector<Stream> streams;
  std::string data;
  std::vector<uint32_t> fins, resets;
  bool gone = false;
  void on_stream(uint32_t id, Headers headers, bool fin) override {
    streams.push_back({id, std::move(headers), fin});
  }
  void on_data(uint32_t id, std::string_view bytes, bool fin) override {
    data.append(bytes);
    if (fin) fins.push_back(id);
  }
  void on_reset(uint32_t id, uint32_t) override { resets.push_back(id); }
  void on_go_away() override { gone = true; }
};

// The client's end: its own compressor, and a reader of what the server sent.
struct Client {
  HeaderCompressor compressor;
  HeaderDecompressor decompressor;
  FrameReader reader;
  std::vector<Frame> read(const std::string& bytes) {
    reader.feed(bytes);
    std::vector<Frame> out;
    while (auto frame = reader.next()) out.push_back(std::move(*frame));
    return out;
  }
};

const Headers kErrorStream = {{"streamtype", "error"}, {"port", "8080"}, {"requestid", "0"}};

TEST(Spdy, TheDictionaryIsSpdy3s) {
  // The client's zlib header names the dictionary by its Adler-32; a different one fails
  // every header block.
  const auto dict = dictionary();
  EXPECT_EQ(dict.size(), 1423u);
  EXPECT_EQ(adler32(1, reinterpret_cast<const Bytef*>(dict.data()), static_cast<uInt>(dict.size())),
            0xe3c6a7c2u);
  EXPECT_EQ(dict.substr(0, 11), std::string_view("\0\0\0\7options", 11));
  EXPECT_EQ(dict.substr(dict.size() - 6), "enq=0.");
}

TEST(Spdy, HeaderBlocksAreLengthPrefixedAndLowerCase) {
  const std::string block = encode_header_block({{"StreamType", "data"}, {"port", "80"}});
  EXPECT_EQ(block, std::string("\0\0\0\2\0\0\0\x0astreamtype\0\0\0\4data\0\0\0\4port\0\0\0\2"
                               "80",
                               40));
  const Headers back = parse_header_block(block);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].first, "streamtype");
  EXPECT_EQ(header(back, "port"), "80");
  EXPECT_EQ(header(back, "absent"), "");
  EXPECT_THROW(parse_header_block(block.substr(0, block.size() - 1)), ProtocolError);
  EXPECT_THROW(parse_header_block(block + "x"), ProtocolError);
  // Several values of one name travel NUL-joined; the first is the header's value.
  EXPECT_EQ(header({{"port", std::string("80\0"
                                         "81",
                                         5)}},
                   "port"),
            "80");
}

TEST(Spdy, CompressionContextsSpanTheConnection) {
  HeaderCompressor compressor;
  HeaderDecompressor decompressor;
  const std::string first = compressor.compress(kErrorStream);
  const std::string second = compressor.compress(kErrorStream);
  // The second block refers back to the first: smaller, and unreadable on its own.
  EXPECT_LT(second.size(), first.size());
  EXPECT_EQ(decompressor.decompress(first), kErrorStream);
  EXPECT_EQ(decompressor.decompress(second), kErrorStream);
  HeaderDecompressor fresh;
  EXPECT_THROW(fresh.decompress(second), ProtocolError);
  EXPECT_THROW(HeaderDecompressor().decompress("not zlib at all"), ProtocolError);
}

TEST(Spdy, FramesSurviveArrivingByteByByte) {
  Client client;
  std::string bytes = syn_stream_frame(client.compressor, 1, kErrorStream);
  bytes += data_frame(1, "hello") + data_frame(1, "", kFin) + rst_stream_frame(3, kCancel);
  Recorder recorder;
  ServerSession session(recorder);
  for (char c : bytes) session.receive(std::string_view(&c, 1));
  ASSERT_EQ(recorder.streams.size(), 1u);
  EXPECT_EQ(recorder.streams[0].id, 1u);
  EXPECT_EQ(recorder.streams[0].headers, kErrorStream);
  EXPECT_FALSE(recorder.streams[0].fin);
  EXPECT_EQ(recorder.data, "hello");
  EXPECT_EQ(recorder.fins, std::vector<uint32_t>{1});
  EXPECT_EQ(recorder.resets, std::vector<uint32_t>{3});
}

TEST(Spdy, DataFrameLayout) {
  const std::string frame = data_frame(5, "ab", kFin);
  EXPECT_EQ(frame, std::string("\0\0\0\5\1\0\0\2ab", 10));
  const std::string control = rst_stream_frame(7, kCancel);
  EXPECT_EQ(control, std::string("\x80\x03\0\x03\0\0\0\x08\0\0\0\x07\0\0\0\x05", 16));
}

TEST(Spdy, RepliesAreEmptySynRepliesTheClientCanDecode) {
  Client client;
  Recorder recorder;
  ServerSession session(recorder);
  // One compression context: the frames are made in the order they are sent.
  std::string bytes = syn_stream_frame(client.compressor, 1, kErrorStream);
  bytes += syn_stream_frame(client.compressor, 3, kErrorStream);
  session.receive(bytes);
  session.reply(1);
  session.reply(3);
  session.send_data(3, "payload", true);
  const auto frames = client.read(session.take_output());
  EXPECT_EQ(session.pending_output(), 0u);
  ASSERT_EQ(frames.size(), 3u);
  for (int i : {0, 1}) {
    EXPECT_TRUE(frames[i].control);
    EXPECT_EQ(frames[i].type, kSynReply);
    EXPECT_EQ(frames[i].stream_id, i == 0 ? 1u : 3u);
    EXPECT_TRUE(client.decompressor.decompress(std::string_view(frames[i].payload).substr(4)).empty());
  }
  EXPECT_FALSE(frames[2].control);
  EXPECT_EQ(frames[2].stream_id, 3u);
  EXPECT_EQ(frames[2].flags, kFin);
  EXPECT_EQ(frames[2].payload, "payload");
}

TEST(Spdy, LargeDataIsSplitAndOnlyTheLastFrameEndsTheStream) {
  Recorder recorder;
  ServerSession session(recorder);
  session.send_data(1, std::string(kMaxDataLength + 10, 'x'), true);
  Client client;
  const auto frames = client.read(session.take_output());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload.size(), kMaxDataLength);
  EXPECT_EQ(frames[0].flags, 0);
  EXPECT_EQ(frames[1].payload.size(), 10u);
  EXPECT_EQ(frames[1].flags, kFin);
}

TEST(Spdy, ClientPingsAreEchoedAndOthersNot) {
  Recorder recorder;
  ServerSession session(recorder);
  session.receive(ping_frame(1) + ping_frame(2));
  EXPECT_EQ(session.take_output(), ping_frame(1));
}

TEST(Spdy, StreamIdsMustBeOddAndRising) {
  Client client;
  Recorder recorder;
  ServerSession session(recorder);
  std::string bytes;
  for (uint32_t id : {5, 3, 4, 7}) bytes += syn_stream_frame(client.compressor, id, kErrorStream);
  session.receive(bytes);
  // The refused ones were still decompressed: stream 7's headers read right.
  ASSERT_EQ(recorder.streams.size(), 2u);
  EXPECT_EQ(recorder.streams[1].id, 7u);
  EXPECT_EQ(recorder.streams[1].headers, kErrorStream);
  const auto frames = client.read(session.take_output());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, kRstStream);
  EXPECT_EQ(frames[0].stream_id, 3u);
  EXPECT_EQ(frames[1].stream_id, 4u);
}

TEST(Spdy, SettingsWindowUpdatesAndUnknownFramesAreIgnoredGoAwayIsReported) {
  Recorder recorder;
  ServerSession session(recorder);
  auto control = [](uint16_t type, const std::string& body) {
    std::string out("\x80\x03", 2);
    out.push_back(static_cast<char>(type >> 8));
    out.push_back(static_cast<char>(type));
    out.push_back(0);
    out.push_back(0);
    out.push_back(0);
    out.push_back(static_cast<char>(body.size()));
    return out + body;
  };
  session.receive(control(kSettings, std::string("\0\0\0\0", 4)) +
                  control(kWindowUpdate, std::string("\0\0\0\1\0\0\x10\0", 8)) + control(42, "??") +
                  goaway_frame(1));
  EXPECT_TRUE(recorder.streams.empty());
  EXPECT_TRUE(recorder.gone);
  EXPECT_EQ(session.pending_output(), 0u);
}

TEST(Spdy, OtherVersionsAndBrokenHeadersEndTheConnection) {
  Recorder recorder;
  ServerSession session(recorder);
  EXPECT_THROW(session.receive(std::string("\x80\x02\0\x06\0\0\0\x04\0\0\0\x01", 12)), ProtocolError);
  ServerSession other(recorder);
  std::string syn("\x80\x03\0\x01\0\0\0\x0e\0\0\0\x01\0\0\0\0\0\0garb", 22);
  EXPECT_THROW(other.receive(syn), ProtocolError);
}

}  // namespace
}  // namespace ukube::kubelet::spdy
