#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "http_types.h"
#include "media.h"
#include "route.h"
#include "ukube/auth.h"
#include "ukube/pipeline.h"
#include "url.h"

// Resource requests (collections, objects, subresources) turned into calls on the
// kernel's request pipeline. Throws ApiError; the caller turns it into a Status.
namespace ukube::apiserver {

struct ResourceCall {
  const HttpRequest& request;
  const Route& route;
  const Query& query;
  const UserInfo& user;
  Representation representation = Representation::Plain;
  bool watch = false;
};

// Upstream's verb for a request, as metrics and audit name it: GET LIST WATCH POST PUT
// PATCH APPLY DELETE DELETECOLLECTION.
std::string resource_verb(const std::string& method, const Route& route, bool watch,
                          const std::string& content_type);

class ResourceHandler {
 public:
  // `watch_gauge`, when set, counts the open watch streams.
  explicit ResourceHandler(RequestPipeline& pipeline, std::atomic<int64_t>* watch_gauge = nullptr)
      : pipeline_(pipeline), watch_gauge_(watch_gauge) {}
  HttpResponse serve(const ResourceCall& call);

 private:
  HttpResponse read(const ResourceCall& call, const TypeInfo& type);
  HttpResponse watch(const ResourceCall& call, const TypeInfoPtr& type);
  // Plain watch, or the watch-list form when sendInitialEvents is given.
  std::unique_ptr<RawWatch> open_watch(const ResourceCall& call, const TypeInfo& type, ListOptions options);
  HttpResponse write(const ResourceCall& call, const TypeInfo& type);

  RequestPipeline& pipeline_;
  std::atomic<int64_t>* watch_gauge_;
};

}  // namespace ukube::apiserver
