#include "kernel/pipeline/continue_token.h"

#include <boost/json.hpp>

#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

ApiError bad_token(const std::string& why) {
  return ApiError::bad_request("continue key is not valid: " + why);
}
}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (size_t rest = data.size() - i; rest > 0) {
    uint32_t n = uint8_t(data[i]) << 16;
    if (rest == 2) n |= uint8_t(data[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    auto pos = kAlphabet.find(c);
    if (c == '-') pos = 62;  // tolerate the URL-safe alphabet
    if (c == '_') pos = 63;
    if (pos == std::string_view::npos) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return true;
}

std::string ContinueToken::encode() const {
  boost::json::object o{{"v", "meta.k8s.io/v1"}, {"rv", revision}, {"start", start_after}};
  return base64_encode(boost::json::serialize(o));
}

ContinueToken ContinueToken::decode(std::string_view token, std::string_view prefix) {
  std::string json;
  if (!base64_decode(token, json)) throw bad_token("not base64");
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) throw bad_token("not a continue token");
  auto& o = v.get_object();
  auto* rv = o.if_contains("rv");
  auto* start = o.if_contains("start");
  if (!rv || !rv->is_int64() || !start || !start->is_string()) throw bad_token("fields missing");
  ContinueToken t{rv->get_int64(), std::string(start->get_string())};
  if (!t.start_after.starts_with(prefix)) throw bad_token("it belongs to another list");
  return t;
}

}  // namespace ukube::pipeline
