#include "resource_handler.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "encode.h"
#include "initial_events.h"
#include "protobuf_body.h"
#include "request_options.h"
#include "table.h"
#include "ukube/errors.h"
#include "undecodable_body.h"
#include "yaml_json.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

GroupVersionResource gvr_of(const Route& r) {
  return {r.group, r.version, r.resource};
}

ApiError unsupported(const std::string& media, const char* accepted) {
  return ApiError::unsupported_media_type("the body of the request was in an unknown format (\"" + media +
                                          "\") - accepted media types include: " + accepted);
}

// `type`: the type the body must be, when it is the resource itself rather than some
// subresource's body (only then can a protobuf body be decoded); `kind` names it in errors.
json::object parse_object_body(const HttpRequest& request, const TypeInfo* type, std::string_view kind) {
  const std::string media = media_type(request.content_type);
  if (media == kProtobufMediaType && type) return decode_protobuf_object(request.body, *type);
  std::string converted;
  std::string_view text = request.body;
  if (media == "application/yaml") {
    converted = yaml_to_json(text);
    text = converted;
  } else if (!media.empty() && media != "application/json" && media != "*/*") {
    throw unsupported(media, "application/json, application/yaml");
  }
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) {
    std::string message = unrecognized_body_message(text, request.body, kind);
    if (!message.empty()) throw ApiError::bad_request(message);
    if (ec) throw ApiError::bad_request("the request body is not valid JSON: " + ec.message());
    throw ApiError::bad_request("the request body must be a JSON object, not null");
  }
  return std::move(doc.get_object());
}

// The kind a subresource's POST body is (TokenRequest for serviceaccounts/token), when the
// subresource says so, so that protobuf bodies can be decoded.
std::unique_ptr<TypeInfo> subresource_body_type(const TypeInfo& parent, const Route& route) {
  auto answer = parent.subresource_answers.find(route.subresource);
  if (answer == parent.subresource_answers.end() || !answer->second.body_schema) return nullptr;
  auto body = std::make_unique<TypeInfo>();
  body->group = answer->second.body_kind.group;
  body->version = answer->second.body_kind.version;
  body->kind = answer->second.body_kind.kind;
  body->plural = parent.plural + "/" + route.subresource;
  body->schema = answer->second.body_schema;
  return body;
}

// The kind a subresource's body must be, for error messages.
std::string_view body_kind(const TypeInfo& parent, const TypeInfo* body, const Route& route) {
  if (body) return body->kind;
  if (route.subresource == "scale") return "Scale";
  if (route.subresource == "binding") return "Binding";
  if (route.subresource == "eviction") return "Eviction";
  return parent.kind;
}

PatchType patch_type(const std::string& media) {
  if (media == "application/merge-patch+json") return PatchType::JsonMerge;
  if (media == "application/json-patch+json") return PatchType::JsonPatch;
  if (media == "application/strategic-merge-patch+json") return PatchType::StrategicMerge;
  if (media == "application/apply-patch+yaml") return PatchType::Apply;
  throw unsupported(media,
                    "application/json-patch+json, application/merge-patch+json, "
                    "application/strategic-merge-patch+json, application/apply-patch+yaml");
}

// Each warning becomes one `Warning: 299 - "text"` header (RFC 7234 warn-text quoting).
void add_warnings(const std::vector<std::string>& warnings, HttpResponse& response) {
  for (const auto& w : warnings) {
    std::string quoted = "299 - \"";
    for (char c : w) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c == '\n' || c == '\r' ? ' ' : c);
    }
    response.headers.emplace_back("Warning", quoted + "\"");
  }
}

HttpResponse object_response(store::Bytes object, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body.append(std::move(object));
  return r;
}

HttpResponse text_response(std::string body, Representation representation) {
  HttpResponse r;
  r.content_type = content_type_for(representation);
  r.body.append(std::move(body));
  return r;
}

std::string partial_list(const RawList& list) {
  std::string out =
      "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" +
      list_metadata_json(list) + ",\"items\":[";
  for (size_t i = 0; i < list.items.size(); ++i)
    out += (i ? "," : "") + partial_object_metadata(list.items[i]);
  return out + "]}";
}

// Table watch events carry a one-row Table each; only the first brings the columns.
WatchLineEncoder table_encoder(TypeInfoPtr type, IncludeObject include) {
  auto first = std::make_shared<bool>(true);
  return [type = std::move(type), include, first](const RawWatchEvent& event, Body& out) {
    if (event.type == WatchEventType::Error) return encode_watch_line(event, out);
    TableBuilder builder(*type, include, system_clock::now());
    std::string meta = "{\"resourceVersion\":" + json_quote(resource_version_of(event.object)) + "}";
    std::vector<store::Bytes> rows;
    if (event.type != WatchEventType::Bookmark) rows.push_back(event.object);
    RawWatchEvent table{event.type, store::make_bytes(builder.table_json(rows, meta, *first))};
    *first = false;
    encode_watch_line(table, out);
  };
}

WatchLineEncoder partial_encoder() {
  return [](const RawWatchEvent& event, Body& out) {
    if (event.type == WatchEventType::Error || event.type == WatchEventType::Bookmark)
      return encode_watch_line(event, out);
    encode_watch_line({event.type, store::make_bytes(partial_object_metadata(event.object))}, out);
  };
}

// Releases the open-watch gauge when the stream is over, whoever ends it.
std::shared_ptr<void> count_watch(std::atomic<int64_t>* gauge) {
  if (!gauge) return nullptr;
  ++*gauge;
  return std::shared_ptr<void>(nullptr, [gauge](void*) { --*gauge; });
}

}  // namespace

std::string resource_verb(const std::string& method, const Route& route, bool watch,
                          const std::string& content_type) {
  if (method == "GET") return watch ? "WATCH" : route.name.empty() ? "LIST" : "GET";
  if (method == "DELETE") return route.name.empty() ? "DELETECOLLECTION" : "DELETE";
  if (method == "PATCH" && media_type(content_type) == "application/apply-patch+yaml") return "APPLY";
  return method;
}

HttpResponse ResourceHandler::serve(const ResourceCall& call) {
  const Route& route = call.route;
  TypeInfoPtr type = pipeline_.resolve(gvr_of(route));
  // A namespaced object needs its namespace in the path; /api/v1/pods/<name> is not a thing.
  if (type->namespaced && route.namespace_.empty() && !route.name.empty())
    throw ApiError::resource_not_found();
  if (!type->namespaced && !route.namespace_.empty()) throw ApiError::resource_not_found();
  if (call.request.method == "GET") return call.watch ? watch(call, type) : read(call, *type);
  if (call.request.method == "POST" || call.request.method == "PUT" || call.request.method == "PATCH" ||
      call.request.method == "DELETE")
    return write(call, *type);
  throw ApiError::method_not_allowed("the server does not allow this method on the requested resource");
}

HttpResponse ResourceHandler::read(const ResourceCall& call, const TypeInfo& type) {
  const Route& route = call.route;
  const Representation rep = call.representation;
  const IncludeObject include = parse_include_object(call.query.get("includeObject"));
  if (!route.name.empty()) {
    GetOptions options;
    options.resource_version = call.query.get("resourceVersion");
    store::Bytes object =
        pipeline_.get(call.user, gvr_of(route), route.namespace_, route.name, options, route.subresource);
    if (rep == Representation::Table) {
      TableBuilder builder(type, include, system_clock::now());
      std::string meta = "{\"resourceVersion\":" + json_quote(resource_version_of(object)) + "}";
      return text_response(builder.table_json({object}, meta), rep);
    }
    if (rep == Representation::PartialMetadata) return text_response(partial_object_metadata(object), rep);
    return object_response(std::move(object));
  }
  RawList list = pipeline_.list(call.user, gvr_of(route), route.namespace_, list_options(call.query));
  if (rep == Representation::Table) {
    TableBuilder builder(type, include, system_clock::now());
    return text_response(builder.table_json(list.items, list_metadata_json(list)), rep);
  }
  if (rep == Representation::PartialMetadata) return text_response(partial_list(list), rep);
  HttpResponse r;
  encode_list(type, list, r.body);
  return r;
}

std::unique_ptr<RawWatch> ResourceHandler::open_watch(const ResourceCall& call, const TypeInfo& type,
                                                      ListOptions options) {
  const Route& route = call.route;
  const GroupVersionResource gvr = gvr_of(route);
  const bool explicit_initial = call.query.has("sendInitialEvents");
  const bool from_now = options.resource_version.empty() || options.resource_version == "0";
  if (!explicit_initial) return pipeline_.watch(call.user, gvr, route.namespace_, options);
  if (!options.send_initial_events) {
    // sendInitialEvents=false: no synthetic ADDED events even without a start point, so
    // start from the current revision.
    if (from_now) {
      ListOptions probe;
      probe.limit = 1;
      probe.label_selector = options.label_selector;
      probe.field_selector = options.field_selector;
      options.resource_version =
          std::to_string(pipeline_.list(call.user, gvr, route.namespace_, probe).revision);
    }
    return pipeline_.watch(call.user, gvr, route.namespace_, options);
  }
  std::vector<FieldError> errors;
  if (!options.allow_bookmarks)
    errors.push_back({"FieldValueForbidden", "allowWatchBookmarks",
                      "Forbidden: sendInitialEvents requires allowWatchBookmarks=true"});
  if (options.resource_version_match != "NotOlderThan")
    errors.push_back({"FieldValueForbidden", "resourceVersionMatch",
                      "Forbidden: sendInitialEvents requires resourceVersionMatch=NotOlderThan"});
  if (!errors.empty()) throw ApiError::invalid({"meta.k8s.io", "v1", "ListOptions"}, "", errors);
  ListOptions snapshot;
  snapshot.label_selector = options.label_selector;
  snapshot.field_selector = options.field_selector;
  if (!from_now) {
    snapshot.resource_version = options.resource_version;
    snapshot.resource_version_match = "NotOlderThan";
  }
  RawList list = pipeline_.list(call.user, gvr, route.namespace_, snapshot);
  options.resource_version = std::to_string(list.revision);
  options.resource_version_match.clear();
  options.send_initial_events = false;
  return std::make_unique<InitialEventsWatch>(type, list,
                                              pipeline_.watch(call.user, gvr, route.namespace_, options));
}

HttpResponse ResourceHandler::watch(const ResourceCall& call, const TypeInfoPtr& type) {
  const Route& route = call.route;
  ListOptions options = list_options(call.query);
  if (!route.name.empty()) {
    // The /watch/<plural>/<name> form watches one object.
    std::string by_name = "metadata.name=" + route.name;
    options.field_selector =
        options.field_selector.empty() ? by_name : options.field_selector + "," + by_name;
  }
  const auto timeout = options.timeout;
  const bool bookmarks = options.allow_bookmarks;
  auto plan = std::make_unique<WatchPlan>();
  plan->watch = open_watch(call, *type, std::move(options));
  plan->timeout = timeout;
  plan->bookmarks = bookmarks;
  plan->open_gauge = count_watch(watch_gauge_);
  HttpResponse r;
  r.content_type = content_type_for(call.representation);
  switch (call.representation) {
    case Representation::Table:
      plan->encode = table_encoder(type, parse_include_object(call.query.get("includeObject")));
      break;
    case Representation::PartialMetadata: plan->encode = partial_encoder(); break;
    default:
      r.content_type = "application/json";
      plan->encode = encode_watch_line;
      break;
  }
  r.watch = std::move(plan);
  return r;
}

HttpResponse ResourceHandler::write(const ResourceCall& call, const TypeInfo& type) {
  const Route& route = call.route;
  const HttpRequest& request = call.request;
  const GroupVersionResource gvr = gvr_of(route);
  const std::string& method = request.method;
  std::vector<std::string> warnings;
  HttpResponse r;

  if (method == "DELETE") {
    if (!route.subresource.empty())
      throw ApiError::method_not_allowed("DELETE is not supported on subresources");
    DeleteOptions options = delete_options(call.query, request.body);
    if (route.name.empty()) {
      RawList deleted =
          pipeline_.delete_collection(call.user, gvr, route.namespace_, list_options(call.query), options);
      encode_list(type, deleted, r.body);
      return r;
    }
    return object_response(pipeline_.remove(call.user, gvr, route.namespace_, route.name, options));
  }

  const bool apply = method == "PATCH" && media_type(request.content_type) == "application/apply-patch+yaml";
  WriteOptions options = write_options(call.query, apply);
  // Upstream names an unnamed writer after its client: "kubectl/v1.33.0 (linux/amd64)" → "kubectl".
  if (options.field_manager.empty())
    options.field_manager = request.user_agent.substr(0, std::min<size_t>(request.user_agent.find('/'), 128));
  options.warnings = &warnings;
  if (method == "POST") {
    if (route.name.empty()) {
      r = object_response(pipeline_.create(call.user, gvr, route.namespace_,
                                           parse_object_body(request, &type, type.kind), options),
                          201);
    } else if (!route.subresource.empty()) {
      auto body_type = subresource_body_type(type, route);
      r = object_response(
          pipeline_.create_subresource(
              call.user, gvr, route.namespace_, route.name, route.subresource,
              parse_object_body(request, body_type.get(), body_kind(type, body_type.get(), route)), options),
          201);
    } else {
      throw ApiError::method_not_allowed(
          "POST is not supported on an object; create it with POST to its collection");
    }
  } else if (route.name.empty()) {
    throw ApiError::method_not_allowed(method + " needs the name of an object");
  } else if (method == "PUT") {
    // Every subresource written with PUT carries the resource itself, except scale.
    const TypeInfo* body_type = route.subresource == "scale" ? nullptr : &type;
    r = object_response(
        pipeline_.update(call.user, gvr, route.namespace_, route.name,
                         parse_object_body(request, body_type, body_kind(type, body_type, route)), options,
                         route.subresource));
  } else {
    PatchType type_of_patch = patch_type(media_type(request.content_type));
    std::string converted;
    std::string_view body = request.body;
    if (type_of_patch == PatchType::Apply) {
      boost::system::error_code ec;
      json::parse(body, ec);
      if (ec) {
        converted = yaml_to_json(body);
        body = converted;
      }
    }
    bool created = false;
    options.created = &created;
    r = object_response(pipeline_.patch(call.user, gvr, route.namespace_, route.name, type_of_patch, body,
                                        options, route.subresource));
    if (created) r.status = 201;
  }
  add_warnings(warnings, r);
  return r;
}

}  // namespace ukube::apiserver
