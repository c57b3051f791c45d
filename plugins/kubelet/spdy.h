#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// SPDY/3.1 as Kubernetes' clients speak it (moby/spdystream under client-go's httpstream):
// the framing of draft-mbelshe-httpbis-spdy-00 §2, header blocks compressed with zlib and
// the protocol's dictionary (one compression context per direction for the connection's
// lifetime, each block sync-flushed). Flow control is left out as spdystream leaves it out:
// WINDOW_UPDATE and SETTINGS are read and ignored, and none is sent. Pure bytes in, bytes
// out: the network is someone else's (the kubelet server's port forwarding).
namespace ukube::kubelet::spdy {

// A protocol violation by the peer; the connection cannot go on.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr uint16_t kVersion = 3;
inline constexpr size_t kMaxDataLength = (1u << 24) - 1;

enum FrameType : uint16_t {
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoAway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
};
enum Flag : uint8_t { kFin = 0x01, kUnidirectional = 0x02 };
// RST_STREAM status codes.
enum ResetStatus : uint32_t {
  kProtocolErrorStatus = 1,
  kInvalidStream = 2,
  kRefusedStream = 3,
  kCancel = 5,
  kInternalError = 6,
};

// Header names lower case, in order; a name sent with several values carries them
// joined by NUL, as on the wire.
using Headers = std::vector<std::pair<std::string, std::string>>;
// The first value of `name` (lower case), or empty.
std::string header(const Headers& headers, std::string_view name);

// The zlib dictionary of SPDY/3 header compression (1423 bytes).
std::string_view dictionary();

// A header block before compression: a 32-bit count, then each name and value with a
// 32-bit length before it. Names are written lower case.
std::string encode_header_block(const Headers& headers);
// Throws ProtocolError for a block that is cut short or has bytes left over.
Headers parse_header_block(std::string_view block);

// One direction's compression context.
class HeaderCompressor {
 public:
  HeaderCompressor();
  ~HeaderCompressor();
  HeaderCompressor(const HeaderCompressor&) = delete;
  HeaderCompressor& operator=(const HeaderCompressor&) = delete;
  std::string compress(const Headers& headers);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class HeaderDecompressor {
 public:
  HeaderDecompressor();
  ~HeaderDecompressor();
  HeaderDecompressor(const HeaderDecompressor&) = delete;
  HeaderDecompressor& operator=(const HeaderDecompressor&) = delete;
  // Throws ProtocolError for data zlib refuses or a block that is not complete.
  Headers decompress(std::string_view compressed);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A frame as it arrived: a data frame (stream id, flags, data) or a control frame (type,
// flags, and its body after the 8-byte header, which starts with the stream id for the
// frames that name one).
struct Frame {
  bool control = false;
  uint16_t type = 0;
  uint8_t flags = 0;
  uint32_t stream_id = 0;  // data frames, and control frames naming a stream
  std::string payload;
};

// Cuts a byte stream into frames.
class FrameReader {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete frame, or nullopt until more bytes came. Throws ProtocolError for a
  // control frame of another SPDY version.
  std::optional<Frame> next();
  size_t buffered() const { return buffer_.size() - offset_; }

 private:
  std::string buffer_;
  size_t offset_ = 0;
};

// Frames as bytes, for the server's answers and for tests playing the client.
std::string syn_stream_frame(HeaderCompressor& compressor, uint32_t stream_id, const Headers& headers,
                             uint8_t flags = 0);
std::string syn_reply_frame(HeaderCompressor& compressor, uint32_t stream_id, const Headers& headers,
                            uint8_t flags = 0);
// At most kMaxDataLength bytes of data.
std::string data_frame(uint32_t stream_id, std::string_view data, uint8_t flags = 0);
std::string rst_stream_frame(uint32_t stream_id, uint32_t status);
std::string ping_frame(uint32_t id);
std::string goaway_frame(uint32_t last_good_stream_id, uint32_t status = 0);

// The server's side of a connection: frames received become calls on the handler;
// what the server says is queued as bytes for the caller to send. PINGs from the client
// are answered here. Single-threaded: the caller serialises everything.
class ServerSession {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // A SYN_STREAM; answer it with reply() or reset().
    virtual void on_stream(uint32_t stream_id, Headers headers, bool fin) = 0;
    virtual void on_data(uint32_t stream_id, std::string_view data, bool fin) = 0;
    virtual void on_reset(uint32_t stream_id, uint32_t status) = 0;
    // GOAWAY: the client opens no more streams.
    virtual void on_go_away() {}
  };

  explicit ServerSession(Handler& handler) : handler_(handler) {}

  // Takes received bytes and calls the handler for each complete frame. Throws
  // ProtocolError when the client broke the protocol (the connection must then end).
  void receive(std::string_view bytes);

  void reply(uint32_t stream_id);
  // Splits data over frames of at most kMaxDataLength bytes; `fin` ends our side.
  void send_data(uint32_t stream_id, std::string_view data, bool fin = false);
  void reset(uint32_t stream_id, uint32_t status);
  void go_away();

  // Bytes to send, handed over once.
  std::string take_output() { return std::exchange(output_, std::string()); }
  size_t pending_output() const { return output_.size(); }

 private:
  void dispatch(Frame& frame);

  Handler& handler_;
  FrameReader reader_;
  HeaderCompressor compressor_;
  HeaderDecompressor decompressor_;
  std::string output_;
  uint32_t last_client_stream_ = 0;
};

}  // namespace ukube::kubelet::spdy
