#include "conversion.h"

#include <boost/json.hpp>
#include <chrono>
#include <stdexcept>

#include "ukube/base64.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/uuid.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using machinery::quote;
using machinery::string_at;

// Upstream's client gives conversion webhooks 30 seconds.
constexpr std::chrono::seconds kTimeout{30};

struct Webhook {
  std::string group;
  std::string kind;
  std::string url;        // empty for a service reference (`service` says which)
  std::string service;    // "name.namespace.svc:port/path", for the message
  std::string ca_bundle;  // PEM
};

Webhook webhook_of(const json::object& crd) {
  Webhook w;
  w.group = string_at(crd, {"spec", "group"});
  w.kind = string_at(crd, {"spec", "names", "kind"});
  const json::object& config = machinery::object_or_empty(
      machinery::object_at(crd, {"spec", "conversion", "webhook", "clientConfig"}));
  w.url = string_at(config, {"url"});
  if (const auto* service = machinery::object_at(config, {"service"}))
    w.service = string_at(*service, {"name"}) + "." + string_at(*service, {"namespace"}) +
                ".svc:" + std::to_string(machinery::int_or(*service, {"port"}, 443)) +
                string_at(*service, {"path"});
  w.ca_bundle = base64_decode(string_at(config, {"caBundle"})).value_or("");
  return w;
}

[[noreturn]] void fail(const std::string& from, const std::string& kind, const std::string& why) {
  // Upstream returns these as plain errors: a 500 with no reason.
  throw ApiError(500, "", "conversion webhook for " + from + ", Kind=" + kind + " failed: " + why);
}

// The converted object must be the same object in the desired version: same kind, name,
// namespace and uid. Its metadata stays the original's but for labels and annotations.
json::object checked(const json::object& original, json::object converted, const std::string& desired,
                     const Webhook& w, const std::string& from) {
  const std::string prefix = "returned invalid converted object at index 0: ";
  const std::string got_version = string_at(converted, {"apiVersion"});
  if (got_version != desired)
    fail(from, w.kind,
         prefix + "invalid groupVersion (expected " + desired + ", received " + got_version + ")");
  const std::string got_kind = string_at(converted, {"kind"});
  if (got_kind != w.kind)
    fail(from, w.kind, prefix + "invalid kind (expected " + w.kind + ", received " + got_kind + ")");
  for (const char* field : {"name", "namespace", "uid"}) {
    const std::string before = machinery::meta_string(original, field);
    const std::string after = machinery::meta_string(converted, field);
    if (before != after)
      fail(from, w.kind,
           prefix + "must have the same " + (std::string(field) == "uid" ? "UID" : field) + ": " + before +
               " != " + after);
  }
  json::object metadata = machinery::object_or_empty(machinery::object_at(original, {"metadata"}));
  for (const char* field : {"labels", "annotations"}) {
    const json::value* returned = machinery::value_at(converted, {"metadata", field});
    if (returned && returned->is_object())
      metadata[field] = *returned;
    else
      metadata.erase(field);
  }
  converted["metadata"] = std::move(metadata);
  return converted;
}

void convert_with(const Webhook& w, https::Transport& transport, json::object& object,
                  const std::string& version) {
  const std::string desired = w.group + "/" + version;
  const std::string from = string_at(object, {"apiVersion"});
  if (from == desired) return;
  if (w.url.empty())
    fail(
        from, w.kind,
        "Post " + quote("https://" + w.service) +
            ": clientConfig.service cannot be reached: ukube has no cluster networking for the API server to "
            "reach Services through; expose the webhook on an address of this host and set "
            "spec.conversion.webhook.clientConfig.url instead");
  const std::string uid = machinery::new_uuid();
  json::object review{
      {"kind", "ConversionReview"},
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"request",
       json::object{{"uid", uid}, {"desiredAPIVersion", desired}, {"objects", json::array{object}}}}};
  const std::string url = w.url + (w.url.find('?') == std::string::npos ? "?" : "&") + "timeout=30s";
  https::HttpResult result = transport.post({url, w.ca_bundle, kTimeout, json::serialize(review)});
  if (!result.sent) fail(from, w.kind, "Post " + quote(url) + ": " + result.error);
  if (result.status != 200)
    fail(from, w.kind, "the webhook answered HTTP " + std::to_string(result.status) + ": " + result.body);
  boost::system::error_code ec;
  json::value answer = json::parse(result.body, ec);
  if (ec || !answer.is_object()) fail(from, w.kind, "the webhook's answer is not a JSON object");
  const json::object& reply = answer.get_object();
  const std::string api_version = string_at(reply, {"apiVersion"});
  const std::string kind = string_at(reply, {"kind"});
  if (api_version != "apiextensions.k8s.io/v1" || kind != "ConversionReview")
    fail(from, w.kind,
         "expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got " + api_version +
             ", Kind=" + kind);
  const json::object* response = machinery::object_at(reply, {"response"});
  if (!response) fail(from, w.kind, "no response provided");
  const std::string got_uid = string_at(*response, {"uid"});
  if (got_uid != uid) fail(from, w.kind, "expected response.uid=" + quote(uid) + ", got " + quote(got_uid));
  const std::string status = string_at(*response, {"result", "status"});
  if (status != "Success") {
    const std::string message = string_at(*response, {"result", "message"});
    fail(from, w.kind,
         message.empty() ? "response.result.status was '" + status + "', not 'Success'" : message);
  }
  const json::array* converted = machinery::array_at(*response, {"convertedObjects"});
  const size_t count = converted ? converted->size() : 0;
  if (count != 1 || !(*converted)[0].is_object())
    fail(from, w.kind, "returned " + std::to_string(count) + " objects, expected 1");
  object = checked(object, (*converted)[0].get_object(), desired, w, from);
}

}  // namespace

ConversionFunc conversion_for(const json::object& crd, std::shared_ptr<https::Transport> transport) {
  const std::string group = string_at(crd, {"spec", "group"});
  if (string_at(crd, {"spec", "conversion", "strategy"}) != "Webhook" || !transport)
    return [group](json::object& o, const std::string& version) { o["apiVersion"] = group + "/" + version; };
  return [w = webhook_of(crd), transport](json::object& o, const std::string& version) {
    convert_with(w, *transport, o, version);
  };
}

}  // namespace ukube::apiextensions
