#include "spdy.h"

#include <zlib.h>

#include <array>
#include <cctype>
#include <cstring>

namespace ukube::kubelet::spdy {
namespace {

// A decompressed header block larger than this is refused (a zlib bomb, not headers).
constexpr size_t kMaxHeaderBlock = 1024 * 1024;

void put32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                         static_cast<char>(v)};
  out.append(bytes, 4);
}

uint32_t get32(std::string_view in, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data() + at);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string control_header(uint16_t type, uint8_t flags, size_t length) {
  std::string out;
  put32(out, 0x80000000u | (uint32_t{kVersion} << 16) | type);
  put32(out, (uint32_t{flags} << 24) | static_cast<uint32_t>(length));
  return out;
}

// RST_STREAM and GOAWAY: a stream id and a status.
std::string stream_and_status(uint16_t type, uint32_t stream_id, uint32_t status) {
  std::string out = control_header(type, 0, 8);
  put32(out, stream_id & 0x7fffffff);
  put32(out, status);
  return out;
}

std::string build_dictionary() {
  // The SPDY/3 dictionary: common header names and values, each with its 32-bit length
  // before it, then a run of status codes, reasons, dates and media types.
  static constexpr std::array<std::string_view, 61> kWords = {
      "options",
      "head",
      "post",
      "put",
      "delete",
      "trace",
      "accept",
      "accept-charset",
      "accept-encoding",
      "accept-language",
      "accept-ranges",
      "age",
      "allow",
      "authorization",
      "cache-control",
      "connection",
      "content-base",
      "content-encoding",
      "content-language",
      "content-length",
      "content-location",
      "content-md5",
      "content-range",
      "content-type",
      "date",
      "etag",
      "expect",
      "expires",
      "from",
      "host",
      "if-match",
      "if-modified-since",
      "if-none-match",
      "if-range",
      "if-unmodified-since",
      "last-modified",
      "location",
      "max-forwards",
      "pragma",
      "proxy-authenticate",
      "proxy-authorization",
      "range",
      "referer",
      "retry-after",
      "server",
      "te",
      "trailer",
      "transfer-encoding",
      "upgrade",
      "user-agent",
      "vary",
      "via",
      "warning",
      "www-authenticate",
      "method",
      "get",
      "status",
      "200 OK",
      "version",
      "HTTP/1.1",
      "url",
  };
  static constexpr std::array<std::string_view, 4> kMoreWords = {"public", "set-cookie", "keep-alive",
                                                                 "origin"};
  static constexpr std::string_view kTail =
      "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
      "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
      "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
      "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
      "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
      "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
  std::string out;
  for (auto word : kWords) {
    put32(out, static_cast<uint32_t>(word.size()));
    out.append(word);
  }
  for (auto word : kMoreWords) {
    put32(out, static_cast<uint32_t>(word.size()));
    out.append(word);
  }
  out.append(kTail);
  return out;
}

}  // namespace

std::string_view dictionary() {
  static const std::string kDictionary = build_dictionary();
  return kDictionary;
}

std::string header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (key == name) return value.substr(0, value.find('\0'));
  return {};
}

std::string encode_header_block(const Headers& headers) {
  std::string out;
  put32(out, static_cast<uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    put32(out, static_cast<uint32_t>(name.size()));
    for (char c : name) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    put32(out, static_cast<uint32_t>(value.size()));
    out.append(value);
  }
  return out;
}

Headers parse_header_block(std::string_view block) {
  size_t at = 0;
  auto take32 = [&] {
    if (block.size() - at < 4) throw ProtocolError("SPDY header block cut short");
    const uint32_t v = get32(block, at);
    at += 4;
    return v;
  };
  auto take = [&](uint32_t length) {
    if (block.size() - at < length) throw ProtocolError("SPDY header block cut short");
    std::string out(block.substr(at, length));
    at += length;
    return out;
  };
  const uint32_t count = take32();
  Headers out;
  for (uint32_t i = 0; i < count; ++i) {
    std::string name = take(take32());
    std::string value = take(take32());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace_back(std::move(name), std::move(value));
  }
  if (at != block.size()) throw ProtocolError("SPDY header block has bytes after its last header");
  return out;
}

struct HeaderCompressor::State {
  z_stream z{};
};

HeaderCompressor::HeaderCompressor() : state_(std::make_unique<State>()) {
  if (deflateInit(&state_->z, Z_DEFAULT_COMPRESSION) != Z_OK) throw std::bad_alloc();
  const auto dict = dictionary();
  deflateSetDictionary(&state_->z, reinterpret_cast<const Bytef*>(dict.data()),
                       static_cast<uInt>(dict.size()));
}

HeaderCompressor::~HeaderCompressor() {
  deflateEnd(&state_->z);
}

std::string HeaderCompressor::compress(const Headers& headers) {
  std::string block = encode_header_block(headers);
  z_stream& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(block.data());
  z.avail_in = static_cast<uInt>(block.size());
  std::string out;
  std::array<char, 4096> chunk;
  do {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    deflate(&z, Z_SYNC_FLUSH);
    out.append(chunk.data(), chunk.size() - z.avail_out);
  } while (z.avail_out == 0);
  return out;
}

struct HeaderDecompressor::State {
  z_stream z{};
};

HeaderDecompressor::HeaderDecompressor() : state_(std::make_unique<State>()) {
  if (inflateInit(&state_->z) != Z_OK) throw std::bad_alloc();
}

HeaderDecompressor::~HeaderDecompressor() {
  inflateEnd(&state_->z);
}

Headers HeaderDecompressor::decompress(std::string_view compressed) {
  z_stream& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string block;
  std::array<char, 4096> chunk;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    int rc = inflate(&z, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      const auto dict = dictionary();
      if (inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dict.data()),
                               static_cast<uInt>(dict.size())) != Z_OK)
        throw ProtocolError("SPDY header block compressed with another dictionary");
      rc = inflate(&z, Z_SYNC_FLUSH);
    }
    block.append(chunk.data(), chunk.size() - z.avail_out);
    if (block.size() > kMaxHeaderBlock) throw ProtocolError("SPDY header block larger than 1 MiB");
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // all input used, nothing more to give
    if (rc != Z_OK && rc != Z_STREAM_END)
      throw ProtocolError(std::string("SPDY header block does not decompress: ") +
                          (z.msg ? z.msg : "zlib error"));
    if (z.avail_in == 0 && z.avail_out != 0) break;
  }
  return parse_header_block(block);
}

std::optional<Frame> FrameReader::next() {
  const std::string_view pending = std::string_view(buffer_).substr(offset_);
  if (pending.size() < 8) return std::nullopt;
  const uint32_t first = get32(pending, 0);
  const uint32_t second = get32(pending, 4);
  const size_t length = second & 0xffffff;
  if (pending.size() < 8 + length) return std::nullopt;
  Frame frame;
  frame.flags = static_cast<uint8_t>(second >> 24);
  frame.payload.assign(pending.substr(8, length));
  if (first & 0x80000000u) {
    frame.control = true;
    const uint16_t version = static_cast<uint16_t>((first >> 16) & 0x7fff);
    if (version != kVersion)
      throw ProtocolError("unsupported SPDY version " + std::to_string(version) +
                          " (this server speaks 3.1)");
    frame.type = static_cast<uint16_t>(first & 0xffff);
    const bool names_stream = frame.type == kSynStream || frame.type == kSynReply ||
                              frame.type == kRstStream || frame.type == kHeaders ||
                              frame.type == kWindowUpdate;
    if (names_stream) {
      if (length < 4) throw ProtocolError("SPDY control frame too short to name its stream");
      frame.stream_id = get32(frame.payload, 0) & 0x7fffffff;
    }
  } else {
    frame.stream_id = first & 0x7fffffff;
  }
  offset_ += 8 + length;
  // Drop what was read once it is most of the buffer.
  if (offset_ > 64 * 1024 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  } else if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  return frame;
}

std::string syn_stream_frame(HeaderCompressor& compressor, uint32_t stream_id, const Headers& headers,
                             uint8_t flags) {
  const std::string block = compressor.compress(headers);
  std::string out = control_header(kSynStream, flags, 10 + block.size());
  put32(out, stream_id & 0x7fffffff);
  put32(out, 0);     // associated stream
  out.append(2, 0);  // priority, slot
  return out + block;
}

std::string syn_reply_frame(HeaderCompressor& compressor, uint32_t stream_id, const Headers& headers,
                            uint8_t flags) {
  const std::string block = compressor.compress(headers);
  std::string out = control_header(kSynReply, flags, 4 + block.size());
  put32(out, stream_id & 0x7fffffff);
  return out + block;
}

std::string data_frame(uint32_t stream_id, std::string_view data, uint8_t flags) {
  std::string out;
  out.reserve(8 + data.size());
  put32(out, stream_id & 0x7fffffff);
  put32(out, (uint32_t{flags} << 24) | static_cast<uint32_t>(data.size()));
  out.append(data);
  return out;
}

std::string rst_stream_frame(uint32_t stream_id, uint32_t status) {
  return stream_and_status(kRstStream, stream_id, status);
}

std::string ping_frame(uint32_t id) {
  std::string out = control_header(kPing, 0, 4);
  put32(out, id);
  return out;
}

std::string goaway_frame(uint32_t last_good_stream_id, uint32_t status) {
  return stream_and_status(kGoAway, last_good_stream_id, status);
}

void ServerSession::receive(std::string_view bytes) {
  reader_.feed(bytes);
  while (auto frame = reader_.next()) dispatch(*frame);
}

void ServerSession::dispatch(Frame& frame) {
  const bool fin = (frame.flags & kFin) != 0;
  if (!frame.control) {
    handler_.on_data(frame.stream_id, frame.payload, fin);
    return;
  }
  const std::string_view body = frame.payload;
  switch (frame.type) {
    case kSynStream: {
      if (body.size() < 10) throw ProtocolError("SPDY SYN_STREAM frame too short");
      // Decompressed whatever happens next: the compression context spans the connection.
      Headers headers = decompressor_.decompress(body.substr(10));
      // Client streams have odd ids, each above the last.
      if (frame.stream_id % 2 == 0 || frame.stream_id <= last_client_stream_) {
        output_ += rst_stream_frame(frame.stream_id, kProtocolErrorStatus);
        return;
      }
      last_client_stream_ = frame.stream_id;
      handler_.on_stream(frame.stream_id, std::move(headers), fin);
      return;
    }
    case kSynReply:
    case kHeaders:
      // Nothing a port-forward client sends, but its headers still move the context on.
      decompressor_.decompress(body.substr(4));
      return;
    case kRstStream:
      if (body.size() < 8) throw ProtocolError("SPDY RST_STREAM frame too short");
      handler_.on_reset(frame.stream_id, get32(body, 4));
      return;
    case kPing:
      if (body.size() < 4) throw ProtocolError("SPDY PING frame too short");
      // Odd ids are the client's own pings, which are answered; even ones would answer ours.
      if (get32(body, 0) % 2 == 1) output_ += ping_frame(get32(body, 0));
      return;
    case kGoAway: handler_.on_go_away(); return;
    default: return;  // SETTINGS, WINDOW_UPDATE and unknown types are ignored
  }
}

void ServerSession::reply(uint32_t stream_id) {
  output_ += syn_reply_frame(compressor_, stream_id, {});
}

void ServerSession::send_data(uint32_t stream_id, std::string_view data, bool fin) {
  do {
    const std::string_view piece = data.substr(0, kMaxDataLength);
    data.remove_prefix(piece.size());
    output_ += data_frame(stream_id, piece, fin && data.empty() ? kFin : 0);
  } while (!data.empty());
}

void ServerSession::reset(uint32_t stream_id, uint32_t status) {
  output_ += rst_stream_frame(stream_id, status);
}

void ServerSession::go_away() {
  output_ += goaway_frame(last_client_stream_);
}

}  // namespace ukube::kubelet::spdy
