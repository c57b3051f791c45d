#include "kernel/pipeline/continue_token.h"

#include <boost/json.hpp>

#include "ukube/base64.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {
ApiError bad_token(const std::string& why) {
  return ApiError::bad_request("continue key is not valid: " + why);
}
}  // namespace

std::string ContinueToken::encode() const {
  boost::json::object o{{"v", "meta.k8s.io/v1"}, {"rv", revision}, {"start", start_after}};
  return base64_encode(boost::json::serialize(o));
}

ContinueToken ContinueToken::decode(std::string_view token, std::string_view prefix) {
  auto json = base64_decode(token);
  if (!json) throw bad_token("not base64");
  boost::system::error_code ec;
  auto v = boost::json::parse(*json, ec);
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
